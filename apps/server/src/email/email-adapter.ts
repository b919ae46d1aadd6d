// Email as a channel of the messaging core: one message per request, over SMTP, DKIM-signed.
import { createPrivateKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ChannelAdapter, PlannedRequest } from '../messaging/channel-adapter.ts';
import { type FieldProblem, notFound } from '../shared/domain-error.ts';
import { composeEmail, DKIM_SIGNED_HEADERS, type EmailContent } from './compose.ts';
import { DomainThrottle } from './domain-throttle.ts';
import { domainOf, openSender } from './sender.ts';
import { type SignedMessage, signMessage } from './signed-message.ts';
import { DEFAULT_SMTP_CONNECTIONS } from './smtp-settings.ts';
import { deliverMessage, smtpTransport } from './smtp-transport.ts';

/** The job that delivers an email send ({ workspaceId, sendId }). */
export const EMAIL_SEND_JOB = 'email-send';

/**
 * SMTP has no retry key of its own: the Message-ID derived from the stored key is ours. A request
 * still pending after three days fails instead of going out that late.
 */
const RETRY_KEY_LIFETIME_MS = 72 * 60 * 60 * 1000;

const throttle = new DomainThrottle();

function checkEmailContent(messages: unknown[], path: string, problems: FieldProblem[]): void {
  if (messages.length !== 1) {
    problems.push({ path, message: 'must hold exactly one email' });
    return;
  }
  const m = messages[0] as Partial<Record<keyof EmailContent, unknown>> | null;
  if (typeof m !== 'object' || m === null || m.type !== 'email') {
    problems.push({ path: `${path}[0].type`, message: 'must be "email"' });
    return;
  }
  if (typeof m.subject !== 'string' || !m.subject.trim() || [...m.subject].length > 300)
    problems.push({ path: `${path}[0].subject`, message: 'must be 1 to 300 characters' });
  else if (/[\r\n]/.test(m.subject))
    problems.push({ path: `${path}[0].subject`, message: 'must be one line' });
  if (typeof m.html !== 'string' || !m.html || m.html.length > 500_000)
    problems.push({ path: `${path}[0].html`, message: 'must be 1 to 500,000 characters' });
  if (typeof m.text !== 'string' || m.text.length > 500_000)
    problems.push({ path: `${path}[0].text`, message: 'must be at most 500,000 characters' });
}

async function assertSender(db: Kysely<DB>, workspaceId: string, senderId: string): Promise<void> {
  const row = await db
    .selectFrom('email_sender')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', senderId)
    .executeTakeFirst();
  if (!row) throw notFound('email sender');
}

/**
 * The email adapter: the address identity (`email`), the `email` consent channel, one recipient
 * per request (each message is personal: its own Message-ID, unsubscribe token and return path),
 * 4xx retried and 5xx failed (smtp-transport.ts), paced per receiving domain.
 */
export const emailAdapter: ChannelAdapter<'email'> = {
  label: 'Email',
  channel: 'email',
  identityKind: 'email',
  jobName: EMAIL_SEND_JOB,
  retryKeyLifetimeMs: RETRY_KEY_LIFETIME_MS,
  // SMTP has no idempotency key: each message's outcome is committed before its connection
  // carries the next, so a killed worker resends at most one accepted message per connection.
  recognisesRetryKey: false,
  // One message in flight per pooled connection (the relay URL's `?connections=`; `open` says).
  concurrency: DEFAULT_SMTP_CONNECTIONS,
  batching: { shared: { kind: 'email', maxRecipients: 1 }, personal: 'email' },
  checkContent: checkEmailContent,
  checkAggregationUnit(_unit, problems) {
    problems.push({
      path: 'aggregationUnit',
      message: 'email has no aggregation unit (Feedback-ID uses the origin)',
    });
  },
  assertChannel: assertSender,
  async suppressedAddresses(db, workspaceId, addresses) {
    // The list is kept in lower case (message-events.ts); addresses are compared the same way.
    const rows = await db
      .selectFrom('email_suppression')
      .select('address')
      .where('workspace_id', '=', workspaceId)
      .where('suppressed', '=', true)
      .where(
        'address',
        'in',
        addresses.map((a) => a.toLowerCase()),
      )
      .execute();
    const hit = new Set(rows.map((r) => r.address));
    return new Set(addresses.filter((a) => hit.has(a.toLowerCase())));
  },
  async open(context, workspaceId, send) {
    const smtp = context.email?.smtp;
    // Thrown: the job fails and pg-boss retries it; the requests stay as they are (none planned yet).
    if (!smtp) throw new Error('KIZUNA_SMTP_URL is not set: email sends wait until it is');
    const db = context.database.db;
    const sender = await openSender(db, context.secrets, workspaceId);
    if (!sender || sender.id !== send.channelId) throw notFound('email sender');
    const row = await db
      .selectFrom('message_send')
      .select(['kind', 'origin'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', send.id)
      .executeTakeFirstOrThrow();
    const transport = smtpTransport(smtp);
    const publicUrl = context.email?.publicUrl ?? '';
    const dkimKey = createPrivateKey(sender.dkimPrivateKey);
    const domain = domainOf(sender.fromAddress);
    const ed25519 = sender.dkimEd25519 && {
      domainName: domain,
      selector: sender.dkimEd25519.selector,
      privateKey: sender.dkimEd25519.privateKey,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    };
    const sign = (request: PlannedRequest<'email'>): Promise<SignedMessage> => {
      const message = composeEmail({
        sender,
        ref: { workspaceId, sendId: send.id, seq: request.seqFrom },
        to: request.recipients[0]!,
        content: request.messages[0] as EmailContent,
        retryKey: request.retryKey,
        marketing: row.kind === 'marketing',
        origin: row.origin,
        publicUrl,
        dkimKey,
      });
      // A sender with an Ed25519 key signs twice: RSA and Ed25519, over one body hash.
      return signMessage(message, ed25519 || undefined);
    };
    // Messages built and signed ahead (`prepare`): the next one of each slot, while its current one is on the wire.
    const prepared = new WeakMap<PlannedRequest<'email'>, Promise<SignedMessage>>();
    return {
      concurrency: smtp.connections,
      prepare(request) {
        const signed = sign(request);
        signed.catch(() => undefined); // its failure is thrown by `perform`
        prepared.set(request, signed);
      },
      // `hold` (the previous outcome's commit) keeps the final `.` back (smtp-transport.ts).
      perform: async (request, hold) => {
        const signed = await (prepared.get(request) ?? sign(request));
        prepared.delete(request);
        const to = request.recipients[0]!;
        return deliverMessage(transport, throttle.pacerFor(sender.id, domainOf(to)), signed, hold);
      },
    };
  },
};
