// The connection check of a channel's setup screen: does LINE take the access token, which
// webhook URL does the LINE Developers console hold, and can LINE reach Kizuna's webhook URL.
import { HTTPFetchError } from '@line/bot-sdk';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { openChannel, webhookUrl } from './channels.ts';
import { lineClients } from './line-client.ts';
import { lineCall, lineRefusal } from './line-errors.ts';
import type { LineHostAllowance } from './line-hosts.ts';

export interface ChannelCheck {
  /** False when LINE refused the access token (401): save the channel with a valid one. */
  accessTokenValid: boolean;
  /** The LINE Official Account behind the token, when it was accepted. */
  bot: { userId: string; basicId: string; displayName: string } | null;
  webhook: {
    /** Kizuna's webhook URL for this channel, the one to paste into the LINE Developers console. */
    expected: string;
    /** The URL the LINE Developers console holds now ('' when none). */
    configured: string;
    /** Whether "Use webhook" is on in the LINE Developers console. */
    active: boolean;
    /** Whether LINE's test post to Kizuna's webhook URL was answered 2xx. */
    reached: boolean;
    /** The status Kizuna answered LINE's test post with (0: no answer). */
    statusCode: number;
    /** LINE's reason when the test post failed. */
    reason: string;
  } | null;
}

/**
 * Asks LINE, with the channel's own token, for the bot's profile, the webhook endpoint set in the
 * LINE Developers console, and a test post to Kizuna's webhook URL (LINE posts an empty, signed
 * events list, which the webhook route answers 200). A refused token is a result, not an error;
 * LINE being unreachable is `upstream_unavailable` as for every other call made for an API caller.
 */
export async function checkChannel(
  db: Kysely<DB>,
  secrets: SecretBox,
  hosts: LineHostAllowance,
  publicUrl: string,
  workspaceId: string,
  channelId: string,
): Promise<ChannelCheck> {
  const channel = await openChannel(db, secrets, workspaceId, channelId);
  const client = lineClients(channel, hosts).api;
  let bot: Awaited<ReturnType<typeof client.getBotInfo>>;
  try {
    bot = await client.getBotInfo();
  } catch (error) {
    if (error instanceof HTTPFetchError && error.status === 401)
      return { accessTokenValid: false, bot: null, webhook: null };
    throw lineRefusal(error);
  }
  const expected = webhookUrl(publicUrl, channel.id);
  const endpoint = await lineCall(() => client.getWebhookEndpoint());
  const test = await lineCall(() => client.testWebhookEndpoint({ endpoint: expected }));
  return {
    accessTokenValid: true,
    bot: { userId: bot.userId, basicId: bot.basicId, displayName: bot.displayName },
    webhook: {
      expected,
      configured: endpoint.endpoint,
      active: endpoint.active,
      reached: test.success ?? false,
      statusCode: test.statusCode,
      reason: test.success ? '' : `${test.reason}${test.detail ? ` (${test.detail})` : ''}`.slice(0, 200),
    },
  };
}
