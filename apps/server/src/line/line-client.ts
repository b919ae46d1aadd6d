import { messagingApi } from '@line/bot-sdk';
import { DomainError } from '../shared/domain-error.ts';
import type { OpenChannel } from './channels.ts';
import { checkLineBaseUrl, type LineHostAllowance } from './line-hosts.ts';

export interface LineClients {
  api: messagingApi.MessagingApiClient;
  /** The api-data host: rich-menu images. */
  blob: messagingApi.MessagingApiBlobClient;
}

/**
 * The official SDK's clients for a channel, pointed at its configured base URLs. The URLs are
 * checked again here, where the token leaves: a channel saved before the operator narrowed the
 * allowance (or written to the database directly) does not get its token sent elsewhere.
 */
export function lineClients(channel: OpenChannel, hosts: LineHostAllowance): LineClients {
  for (const [field, url] of [
    ['apiBaseUrl', channel.apiBaseUrl],
    ['dataApiBaseUrl', channel.dataApiBaseUrl],
  ] as const) {
    const checked = checkLineBaseUrl(url, hosts);
    if ('problem' in checked)
      throw new DomainError(
        'forbidden',
        `the LINE channel's ${field} is not allowed here: ${checked.problem}; save the channel again with an allowed URL`,
      );
  }
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
