// A fake email channel over the real database for the send-policy tests: the provider counts
// what each address received, so a test sees exactly who was messaged.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { recordConsent } from '../src/customers/consent.ts';
import type { ConsentPurpose, ConsentStatus } from '../src/customers/customer-tables.ts';
import { upsertCustomer } from '../src/customers/upsert-customer.ts';
import type { Database } from '../src/db/open-database.ts';
import type { ChannelAdapter, PlannedRequest } from '../src/messaging/channel-adapter.ts';
import type { RequestOutcome } from '../src/messaging/decisions.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { newWorkspace } from './helpers.ts';

export class CountingProvider {
  readonly received = new Map<string, number>();
  readonly keys = new Set<string>();

  async perform(request: PlannedRequest): Promise<RequestOutcome> {
    if (!this.keys.has(request.retryKey)) {
      this.keys.add(request.retryKey);
      for (const to of request.recipients) this.received.set(to, (this.received.get(to) ?? 0) + 1);
    }
    return { kind: 'accepted', providerRequestId: request.retryKey, attempts: 1 };
  }
}

export function emailAdapter(provider: CountingProvider): ChannelAdapter<'multicast' | 'push'> {
  return {
    label: 'test email',
    channel: 'email',
    identityKind: 'email',
    jobName: 'test-email-send',
    retryKeyLifetimeMs: 60 * 60 * 1000,
    recognisesRetryKey: true,
    // Two recipients a batch: a send makes several requests, so concurrent plans interleave.
    batching: { shared: { kind: 'multicast', maxRecipients: 2 }, personal: 'push' },
    checkContent(messages, path, problems) {
      if (!messages.length) problems.push({ path, message: 'must hold a message' });
    },
    checkAggregationUnit() {},
    async assertChannel() {},
    async open() {
      return { perform: (request) => provider.perform(request) };
    },
  };
}

const secrets = createSecretBox(randomBytes(32));
export const jobContext = (database: Database) => ({ database, secrets, logger: pino({ level: 'silent' }) });

/** A workspace, a channel row for its sends to name, and `n` customers with an email address each. */
export async function emailWorkspace(database: Database, n: number, prefix: string) {
  const { workspaceId } = await newWorkspace(database);
  // The 0003 send table still references line_channel: a row stands in for the fake account.
  const channel = await database.db
    .insertInto('line_channel')
    .values({ workspace_id: workspaceId, line_channel_id: '1', secret_sealed: 'x', access_token_sealed: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: number[] = [];
  const emails: string[] = [];
  for (let i = 0; i < n; i++) {
    const email = `${prefix}${i}@example.jp`;
    const { id } = await database.db
      .transaction()
      .execute((tx) => upsertCustomer(tx, workspaceId, { email }));
    ids.push(id);
    emails.push(email);
  }
  return { workspaceId, channelId: channel.id, ids, emails };
}

export async function setConsent(
  database: Database,
  workspaceId: string,
  customerId: number,
  status: ConsentStatus,
  purpose: ConsentPurpose = 'marketing',
) {
  await database.db
    .transaction()
    .execute((tx) =>
      recordConsent(tx, workspaceId, customerId, { channel: 'email', purpose, status, source: 'test' }),
    );
}

export const message = [{ subject: '冬のセール', body: '本日より' }];

/** An instant given on the JST wall clock: jst('2026-12-07T22:00'). */
export const jst = (local: string) => new Date(`${local}:00+09:00`);
