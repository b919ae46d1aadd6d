// A send and its outbox, written in one transaction with the job that delivers it.

import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { assertCustomersExist } from '../customers/known-customers.ts';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { ChannelAdapter } from './channel-adapter.ts';
import { findSendId, getSend, type SendView } from './send-status.ts';
import type { QuietHoursChoice, SendKind } from './send-tables.ts';

export interface SendInput {
  channelId: string;
  /** The content every recipient gets. */
  messages: unknown[];
  customerIds: number[];
  /** Per-customer content (sent alone); these customers need not be in customerIds. */
  personalized?: { customerId: number; messages: unknown[] }[];
  /** Repeating a create with the same key returns the first send. */
  idempotencyKey: string;
  /** Who asked: 'api', 'campaign:12', 'journey:3/step:2'. */
  origin?: string;
  /** The provider's statistics label for this send. */
  aggregationUnit?: string;
  /**
   * `marketing` (default): the workspace's frequency cap and quiet hours apply. `transactional`
   * (a reservation confirmation): neither applies, but a block or an opt-out of transactional
   * messages still skips the recipient.
   */
  kind?: SendKind;
  /** A marketing send planning in quiet hours waits for them to end (`hold`, default) or skips. */
  quietHours?: QuietHoursChoice;
}

function checkInput(adapter: ChannelAdapter, input: SendInput): void {
  const problems: FieldProblem[] = [];
  adapter.checkContent(input.messages, 'messages', problems);
  for (const [i, p] of (input.personalized ?? []).entries())
    adapter.checkContent(p.messages, `personalized[${i}].messages`, problems);
  if (input.aggregationUnit !== undefined) adapter.checkAggregationUnit(input.aggregationUnit, problems);
  if (problems.length) throw invalid(problems);
}

/**
 * Creates a send and its outbox (one row per customer: shared content first, then personalised
 * rows) and enqueues its delivery in the same transaction, so the outbox and its idempotency key
 * are committed before any provider call. Customers without an address on the channel are
 * skipped at once (`no_line_identity`); consent is checked later, when each request is planned.
 * A customer id that is not this workspace's is `invalid`, naming it (`customerIds[3]`,
 * `personalized[0].customerId`), and nothing is written.
 */
export async function createSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
): Promise<SendView> {
  checkInput(adapter, input);
  return transact(db, (tx) => insertSend(tx, jobs, adapter, workspaceId, input));
}

/** How createSendInTransaction's caller vouches for its input. */
export interface SendInTransactionOptions {
  /**
   * The customer ids are rows of this workspace that the caller's transaction keeps from being
   * deleted (the journey engine's: each is its locked run's customer, which the run's foreign key
   * holds): their check, one lookup per id, is skipped. Merged-away customers are still left out.
   */
  customersKnown?: boolean;
}

/**
 * createSend inside the caller's transaction: the send, its outbox and its delivery job commit
 * or roll back with the caller's own writes (a journey step's record). The caller retries a
 * lost race itself (see db/transact.ts).
 */
export async function createSendInTransaction(
  tx: Transaction<DB>,
  jobs: Pick<Jobs, 'sendInTransaction'> | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
  options: SendInTransactionOptions = {},
): Promise<SendView> {
  checkInput(adapter, input);
  return insertSend(tx, jobs, adapter, workspaceId, input, options);
}

/** Recipients up to which the outbox is written by key lookups, not a join (insertSend). */
const PROBE_LIMIT = 10_000;

async function insertSend(
  tx: Transaction<DB>,
  jobs: Pick<Jobs, 'sendInTransaction'> | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
  options: SendInTransactionOptions = {},
): Promise<SendView> {
  const personal = new Map((input.personalized ?? []).map((p) => [p.customerId, p.messages]));
  const shared = [...new Set(input.customerIds)].filter((id) => !personal.has(id));
  const ids = [...shared, ...personal.keys()];
  const contents = [...shared.map(() => null), ...[...personal.values()].map((m) => JSON.stringify(m))];
  const existing = await findSendId(tx, workspaceId, adapter.channel, input.idempotencyKey);
  if (existing !== undefined) return getSend(tx, workspaceId, existing);
  await adapter.assertChannel(tx, workspaceId, input.channelId);
  if (!options.customersKnown)
    await assertCustomersExist(tx, workspaceId, [
      ...input.customerIds.map((customerId, i) => ({ path: `customerIds[${i}]`, customerId })),
      ...(input.personalized ?? []).map((p, i) => ({
        path: `personalized[${i}].customerId`,
        customerId: p.customerId,
      })),
    ]);
  const send = await tx
    .insertInto('message_send')
    .values({
      workspace_id: workspaceId,
      channel: adapter.channel,
      channel_id: input.channelId,
      idempotency_key: input.idempotencyKey,
      origin: input.origin ?? 'api',
      messages: JSON.stringify(input.messages),
      aggregation_unit: input.aggregationUnit ?? null,
      kind: input.kind ?? 'marketing',
      quiet_hours: input.quietHours ?? 'hold',
      status: 'queued',
      total: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const noAddress = `no_${adapter.identityKind}_identity`;
  // Merged-away customers are left out; a customer's address is its lowest identity of the kind.
  // A send of up to PROBE_LIMIT recipients (a journey batch's) finds each customer by its key:
  // left to a join, the planner hashed the whole customer table for a thousand recipients (at
  // 100,000 customers, most of the statement). A larger send (a campaign's) joins.
  const active = sql`c.workspace_id = ${workspaceId} and c.id = i.customer_id and c.merged_into_id is null`;
  const probe = ids.length <= PROBE_LIMIT;
  const customer = probe
    ? sql`cross join lateral (select 1 from customer c where ${active} limit 1) c`
    : sql`join customer c on ${active}`;
  const outbox = sql<{ total: number }>`
      with input as (
        select u.customer_id, u.messages, u.ord from unnest(${ids}::bigint[], ${contents}::jsonb[]) with ordinality as u(customer_id, messages, ord)
      ), inserted as (
        insert into message_outbox (workspace_id, send_id, seq, customer_id, address, messages, status, reason)
        select ${workspaceId}::uuid, ${send.id}::bigint, (row_number() over (order by i.ord) - 1)::int, i.customer_id, l.value, i.messages,
          case when l.value is null then 'skipped' else 'queued' end,
          case when l.value is null then ${noAddress}::text end
        from input i
        ${customer}
        left join lateral (
          select value from customer_identity ci
          where ci.workspace_id = ${workspaceId} and ci.customer_id = i.customer_id and ci.kind = ${adapter.identityKind}
          order by value limit 1) l on true
        returning 1
      ) select count(*)::int as total from inserted`;
  // The probing form runs once per journey batch: prepared, its plan is made once per connection
  // (a join's plan depends on the send's size, so it is planned each time).
  const { rows } = await (probe ? prepared('messaging.outbox_probe', outbox) : outbox).execute(tx);
  await tx
    .updateTable('message_send')
    .set({ total: rows[0]?.total ?? 0 })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', send.id)
    .execute();
  if (jobs) await jobs.sendInTransaction(tx, adapter.jobName, { workspaceId, sendId: send.id });
  return getSend(tx, workspaceId, send.id);
}
