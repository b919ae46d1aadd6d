import { messagingApi } from '@line/bot-sdk';
import type { OpenChannel } from './channels.ts';

export interface LineClients {
  api: messagingApi.MessagingApiClient;
  /** The api-data host: rich-menu images. */
  blob: messagingApi.MessagingApiBlobClient;
}

/** The official SDK's clients for a channel, pointed at its configured base URLs. */
export function lineClients(channel: OpenChannel): LineClients {
  return {
    api: new messagingApi.MessagingApiClient({
      channelAccessToken: channel.accessToken,
      baseURL: channel.apiBaseUrl,
    }),
    blob: new messagingApi.MessagingApiBlobClient({
      channelAccessToken: channel.accessToken,
      baseURL: channel.dataApiBaseUrl,
    }),
  };
}
