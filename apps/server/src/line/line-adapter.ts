// LINE as a channel of the messaging core: multicast batches of 500, push for personalised content.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ChannelAdapter } from '../messaging/channel-adapter.ts';
import { type FieldProblem, notFound } from '../shared/domain-error.ts';
import { openChannel } from './channels.ts';
import { lineClients } from './line-client.ts';
import { LINE_HOSTS_ONLY } from './line-hosts.ts';
import { type LineRequestKind, sendPlannedRequest } from './line-request.ts';
import { pacerFor } from './pacer.ts';

/** The job that delivers a LINE send (its pg-boss queue keeps this name). */
export const SEND_JOB = 'line-send';

/** LINE keeps a retry key 24 h; a request still pending near that age can no longer be retried safely. */
const RETRY_KEY_LIFETIME_MS = 23 * 60 * 60 * 1000;

/** LINE's limit of recipients per multicast request. */
const MULTICAST_LIMIT = 500;

function checkMessages(messages: unknown[], path: string, problems: FieldProblem[]): void {
  if (messages.length < 1 || messages.length > 5)
    problems.push({ path, message: 'must hold 1 to 5 messages' });
  messages.forEach((m, i) => {
    const message = m as { type?: unknown; text?: unknown };
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string')
      problems.push({ path: `${path}[${i}].type`, message: 'required' });
    else if (message.type === 'text' && (typeof message.text !== 'string' || [...message.text].length > 5000))
      problems.push({ path: `${path}[${i}].text`, message: 'must be 1 to 5,000 characters' });
  });
}

async function assertLineChannel(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<void> {
  const channel = await db
    .selectFrom('line_channel')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', channelId)
    .executeTakeFirst();
  if (!channel) throw notFound('LINE channel');
}

/**
 * The LINE adapter: the LINE channel's client and pacers, X-Line-Retry-Key on every request, a
 * 409 counted as accepted, 429s held by the pacer (the monthly limit becomes `quota`).
 */
export const lineAdapter: ChannelAdapter<LineRequestKind> = {
  label: 'LINE',
  channel: 'line',
  identityKind: 'line',
  jobName: SEND_JOB,
  retryKeyLifetimeMs: RETRY_KEY_LIFETIME_MS,
  recognisesRetryKey: true,
  batching: { shared: { kind: 'multicast', maxRecipients: MULTICAST_LIMIT }, personal: 'push' },
  checkContent: checkMessages,
  checkAggregationUnit(unit, problems) {
    if (!/^[a-zA-Z0-9_]{1,30}$/.test(unit))
      problems.push({ path: 'aggregationUnit', message: 'must match ^[a-zA-Z0-9_]{1,30}$' });
  },
  assertChannel: assertLineChannel,
  async open(context, workspaceId, send) {
    const channel = await openChannel(context.database.db, context.secrets, workspaceId, send.channelId);
    const client = lineClients(channel, context.lineHosts ?? LINE_HOSTS_ONLY).api;
    return {
      perform: (request) =>
        sendPlannedRequest(client, pacerFor(channel.id, request.kind), request, send.aggregationUnit),
    };
  },
};
