// A send and its outbox, written in one transaction with the job that delivers it.

import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { assertCustomerListsExist } from '../customers/known-customers.ts';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import { RetryableConflict, transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError, type FieldProblem, invalid } from '../shared/domain-error.ts';
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

/** How createSend writes a large outbox (tests make the chunks small). */
export interface CreateSendOptions {
  /** A send with more recipients than this writes its outbox in chunks (default 20,000). */
  streamAbove?: number;
  /** Recipients in the first chunk, committed with the send (default 5,000). */
  firstChunk?: number;
  /** Recipients in each later chunk (default 10,000: the key-lookup form of the insert). */
  chunk?: number;
  /** Chunks written side by side, each on its own connection (default 2). */
  lanes?: number;
  /**
   * Called once the send is committed (a large one with its first chunk; a repeat's send as
   * found): its delivery may start now, before a large outbox is whole. A caller without `jobs`
   * (a job handler) enqueues the delivery here; with `jobs`, a new send's delivery job is enqueued
   * in that commit already.
   */
  onOpened?: (sendId: number) => Promise<void>;
}

/**
 * Creates a send and its outbox (one row per customer: shared content first, then personalised
 * rows) and enqueues its delivery in the same transaction, so the outbox and its idempotency key
 * are committed before any provider call. Customers without an address on the channel are
 * skipped at once (`no_line_identity`); consent is checked later, when each request is planned.
 * A customer id that is not this workspace's is `invalid`, naming it (`customerIds[3]`,
 * `personalized[0].customerId`), and nothing is written.
 *
 * A send of more than `streamAbove` recipients (a campaign's) is committed with the first chunk
 * of its outbox, and the rest is written in chunks, `lanes` at a time, each committed on its own:
 * its delivery starts at once and sends what has committed, instead of waiting for the whole
 * outbox (issue #20: 16-19 s for a million). Every id is still checked before anything is written.
 * Each row's seq is its entry's position in the request (an entry that writes no row leaves a
 * gap), so a chunk's rows are the same whoever writes them: a second writer of the same send
 * fails on their keys and, retried, finds the chunk done (message_send_writing records it). If
 * the writer dies, what it committed is delivered and the send waits; repeating the create with
 * the same idempotency key and the same recipients writes the rest (with other recipients it is a
 * `conflict`), and the delivery carries on. See the messaging README.
 */
export async function createSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
  options: CreateSendOptions = {},
): Promise<SendView> {
  checkInput(adapter, input);
  const entries = entriesOf(input);
  if (entries.ids.length <= (options.streamAbove ?? 20_000)) {
    const send = await transact(db, (tx) => insertSend(tx, jobs, adapter, workspaceId, input, entries));
    await options.onOpened?.(send.id);
    return send;
  }
  return streamSend(db, jobs, adapter, workspaceId, input, entries, options);
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
  return insertSend(tx, jobs, adapter, workspaceId, input, entriesOf(input), options);
}

/** Recipients up to which the outbox is written by key lookups, not a join (writeOutbox). */
const PROBE_LIMIT = 10_000;

/** The outbox's entries in order: shared content first (content null), then personalised rows. */
interface Entries {
  ids: number[];
  contents: (string | null)[];
}

function entriesOf(input: SendInput): Entries {
  const personal = new Map((input.personalized ?? []).map((p) => [p.customerId, p.messages]));
  const shared = [...new Set(input.customerIds)].filter((id) => !personal.has(id));
  return {
    ids: [...shared, ...personal.keys()],
    contents: [...shared.map(() => null), ...[...personal.values()].map((m) => JSON.stringify(m))],
  };
}

/** Every id of the request, checked before anything is written (naming the bad ones). */
async function assertRecipients(tx: Transaction<DB>, workspaceId: string, input: SendInput): Promise<void> {
  await assertCustomerListsExist(tx, workspaceId, [
    { ids: input.customerIds, path: (i) => `customerIds[${i}]` },
    {
      ids: (input.personalized ?? []).map((p) => p.customerId),
      path: (i) => `personalized[${i}].customerId`,
    },
  ]);
}

async function insertSendRow(
  tx: Transaction<DB>,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
): Promise<number> {
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
  return send.id;
}

async function insertSend(
  tx: Transaction<DB>,
  jobs: Pick<Jobs, 'sendInTransaction'> | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
  entries: Entries,
  options: SendInTransactionOptions = {},
): Promise<SendView> {
  const existing = await findSendId(tx, workspaceId, adapter.channel, input.idempotencyKey);
  if (existing !== undefined) return getSend(tx, workspaceId, existing);
  await adapter.assertChannel(tx, workspaceId, input.channelId);
  if (!options.customersKnown) await assertRecipients(tx, workspaceId, input);
  const sendId = await insertSendRow(tx, adapter, workspaceId, input);
  const total = await writeOutbox(tx, adapter, workspaceId, sendId, entries, 0);
  await tx
    .updateTable('message_send')
    .set({ total })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .execute();
  if (jobs) await jobs.sendInTransaction(tx, adapter.jobName, { workspaceId, sendId });
  return getSend(tx, workspaceId, sendId);
}

/**
 * Writes outbox rows for `entries`, numbered from `base`, and returns how many it wrote.
 * Merged-away customers are left out; a customer's address is its lowest identity of the kind.
 * Up to PROBE_LIMIT entries (a journey batch, a chunk of a large send) find each customer by its
 * key: left to a join, the planner hashed the whole customer table for a thousand recipients (at
 * 100,000 customers, most of the statement). More than that (a small campaign) join.
 */
async function writeOutbox(
  tx: Transaction<DB>,
  adapter: ChannelAdapter,
  workspaceId: string,
  sendId: number,
  entries: Entries,
  base: number,
  /**
   * `compact`: the rows written are numbered base, base + 1, … (a send written at once);
   * `position`: each row's seq is its entry's position, base + i, leaving a gap where a
   * merged-away customer wrote none (a streamed send's chunks, written side by side).
   */
  numbering: 'compact' | 'position' = 'compact',
): Promise<number> {
  if (!entries.ids.length) return 0;
  const noAddress = `no_${adapter.identityKind}_identity`;
  const active = sql`c.workspace_id = ${workspaceId} and c.id = i.customer_id and c.merged_into_id is null`;
  const probe = entries.ids.length <= PROBE_LIMIT;
  const seq =
    numbering === 'compact'
      ? sql`(${base}::int + row_number() over (order by i.ord) - 1)::int`
      : sql`(${base}::int + i.ord - 1)::int`;
  const customer = probe
    ? sql`cross join lateral (select 1 from customer c where ${active} limit 1) c`
    : sql`join customer c on ${active}`;
  const outbox = sql<{ total: number }>`
      with input as (
        select u.customer_id, u.messages, u.ord from unnest(${entries.ids}::bigint[], ${entries.contents}::jsonb[]) with ordinality as u(customer_id, messages, ord)
      ), inserted as (
        insert into message_outbox (workspace_id, send_id, seq, customer_id, address, messages, status, reason)
        select ${workspaceId}::uuid, ${sendId}::bigint, ${seq}, i.customer_id, l.value, i.messages,
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
  // The probing form runs once per journey batch and per chunk: prepared, its plan is made once
  // per connection (a join's plan depends on the send's size, so it is planned each time).
  const name = numbering === 'compact' ? 'messaging.outbox_probe' : 'messaging.outbox_chunk';
  const { rows } = await (probe ? prepared(name, outbox) : outbox).execute(tx);
  return rows[0]?.total ?? 0;
}

/** How long a chunk writer's heartbeat lasts (a chunk takes well under a second). */
const WRITER_HEARTBEAT = '60 seconds';

/** The request's recipients and contents, hashed: a resumed outbox must be the same one. */
function digestOf(entries: Entries): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(Float64Array.from(entries.ids).buffer));
  for (const content of entries.contents) hash.update(content === null ? '\u0000' : `${content}\u0000`);
  return hash.digest('hex');
}

/** Where a streamed send's chunks begin and end (the geometry is stored with the send). */
class Chunks {
  readonly total: number;
  readonly first: number;
  readonly size: number;
  constructor(total: number, first: number, size: number) {
    this.total = total;
    this.first = first;
    this.size = size;
  }
  get count(): number {
    return this.total <= this.first ? 1 : 1 + Math.ceil((this.total - this.first) / this.size);
  }
  start(k: number): number {
    return k === 0 ? 0 : Math.min(this.total, this.first + (k - 1) * this.size);
  }
  end(k: number): number {
    return k === 0 ? Math.min(this.total, this.first) : Math.min(this.total, this.first + k * this.size);
  }
  /** The chunk that begins at entry `position`. */
  at(position: number): number {
    return position === 0 ? 0 : 1 + Math.floor((position - this.first) / this.size);
  }
}

interface WritingRow {
  input_total: number;
  first_chunk: number;
  chunk: number;
  written_through: number;
  done: number[];
  rows_written: number;
  input_digest: string;
}

async function readWriting(tx: Kysely<DB>, workspaceId: string, sendId: number, lock = false) {
  const { rows } = await sql<WritingRow>`
    select input_total, first_chunk, chunk, written_through, done, rows_written, input_digest
    from message_send_writing where workspace_id = ${workspaceId} and send_id = ${sendId}
    ${lock ? sql`for update` : sql``}`.execute(tx);
  return rows[0];
}

/**
 * createSend for a large send: the send with its first chunk, then the other chunks, each in its
 * own transaction, `lanes` at a time (PostgreSQL: two connections write side by side; PGlite's one
 * connection takes them in turn).
 */
async function streamSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  adapter: ChannelAdapter,
  workspaceId: string,
  input: SendInput,
  entries: Entries,
  options: CreateSendOptions,
): Promise<SendView> {
  const digest = digestOf(entries);
  const opened = await transact(db, async (tx) => {
    const existing = await findSendId(tx, workspaceId, adapter.channel, input.idempotencyKey);
    if (existing !== undefined) {
      const writing = await readWriting(tx, workspaceId, existing);
      // Written whole: the first send, as for any repeat.
      if (!writing) return { sendId: existing, chunks: undefined };
      if (writing.input_digest !== digest)
        throw new DomainError(
          'conflict',
          'idempotencyKey: this key is already used by a send to other recipients, still being written; repeat it with the same recipients to finish it',
          [{ path: 'idempotencyKey', message: 'used by a send to other recipients' }],
        );
      // Resuming an outbox whose writer stopped: its delivery job may have given up meanwhile.
      if (jobs) await jobs.sendInTransaction(tx, adapter.jobName, { workspaceId, sendId: existing });
      return {
        sendId: existing,
        chunks: new Chunks(writing.input_total, writing.first_chunk, writing.chunk),
      };
    }
    await adapter.assertChannel(tx, workspaceId, input.channelId);
    await assertRecipients(tx, workspaceId, input);
    const sendId = await insertSendRow(tx, adapter, workspaceId, input);
    const chunks = new Chunks(entries.ids.length, options.firstChunk ?? 5_000, options.chunk ?? PROBE_LIMIT);
    await sql`insert into message_send_writing (workspace_id, send_id, input_total, first_chunk, chunk, input_digest, writer_until)
      values (${workspaceId}, ${sendId}, ${chunks.total}, ${chunks.first}, ${chunks.size}, ${digest},
        now() + ${WRITER_HEARTBEAT}::interval)`.execute(tx);
    await writeChunk(tx, adapter, workspaceId, sendId, entries, chunks, 0);
    if (jobs) await jobs.sendInTransaction(tx, adapter.jobName, { workspaceId, sendId });
    return { sendId, chunks };
  });
  await options.onOpened?.(opened.sendId);
  const { chunks } = opened;
  if (chunks) {
    // Each chunk in its own transaction. Where another writer writes the same chunk, one of the
    // two fails on the rows' keys and, retried, finds it done.
    let next = 0;
    const lane = async () => {
      for (let k = next++; k < chunks.count; k = next++)
        await transact(
          db,
          (tx) => writeChunk(tx, adapter, workspaceId, opened.sendId, entries, chunks, k),
          20,
        );
    };
    await Promise.all(Array.from({ length: Math.max(1, options.lanes ?? 2) }, lane));
  }
  return getSend(db, workspaceId, opened.sendId);
}

/**
 * Writes chunk `k` of a streamed send's outbox, unless it is written already, and records it: the
 * planner's end (`written_through`) moves past every chunk committed without a gap before it, and
 * with the last one the writing row is deleted and the send's total (its rows) and seq end set.
 */
async function writeChunk(
  tx: Transaction<DB>,
  adapter: ChannelAdapter,
  workspaceId: string,
  sendId: number,
  entries: Entries,
  chunks: Chunks,
  k: number,
): Promise<void> {
  const seen = await readWriting(tx, workspaceId, sendId);
  if (!seen || seen.done.includes(k) || chunks.end(k) <= seen.written_through) return;
  // A chunk's insert is estimated above PostgreSQL's JIT threshold, and compiling it cost ~19 ms
  // of a 10,000-row chunk's ~200 ms (EXPLAIN ANALYZE at 300,000 recipients), for nothing.
  await sql`set local jit = off`.execute(tx);
  const from = chunks.start(k);
  const to = chunks.end(k);
  const rows = await writeOutbox(
    tx,
    adapter,
    workspaceId,
    sendId,
    { ids: entries.ids.slice(from, to), contents: entries.contents.slice(from, to) },
    from,
    'position',
  );
  // The chunks' records are made one at a time (the row's lock), after their rows, briefly.
  const row = await readWriting(tx, workspaceId, sendId, true);
  if (!row || row.done.includes(k) || to <= row.written_through)
    throw new RetryableConflict(`send ${sendId}: chunk ${k} was written by another writer`);
  const done = new Set([...row.done, k]);
  let through = row.written_through;
  while (through < chunks.total && done.delete(chunks.at(through))) through = chunks.end(chunks.at(through));
  const written = row.rows_written + rows;
  if (through >= chunks.total) {
    await sql`delete from message_send_writing where workspace_id = ${workspaceId} and send_id = ${sendId}`.execute(
      tx,
    );
    await tx
      .updateTable('message_send')
      .set({ total: written, seq_end: chunks.total })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .execute();
    return;
  }
  await sql`update message_send_writing
    set written_through = ${through}, done = ${[...done]}::int[], rows_written = ${written},
      writer_until = now() + ${WRITER_HEARTBEAT}::interval
    where workspace_id = ${workspaceId} and send_id = ${sendId}`.execute(tx);
}
