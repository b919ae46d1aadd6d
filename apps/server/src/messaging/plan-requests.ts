// Planning a send's requests: consent checked now, each request stored with its retry key before it is sent.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { consentOfRow } from '../customers/consent.ts';
import type { ConsentStatus } from '../customers/customer-tables.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { capRule, lockAndFindCapped, recordCapped } from './cap-ledger.ts';
import type { ChannelAdapter, PlannedRequest, SendRecord } from './channel-adapter.ts';
import { consentSkipReason, type SkipReason, transactionalSkipReason } from './decisions.ts';
import { holdForQuietHours, type PlanState, readPlanState } from './plan-state.ts';
import type { RequestKind } from './send-tables.ts';

/** Requests planned earlier (by this or a dead worker) and not yet answered, oldest first. */
export async function pendingRequests<Kind extends string>(
  db: Kysely<DB>,
  adapter: ChannelAdapter<Kind>,
  workspaceId: string,
  send: SendRecord,
  limit: number,
): Promise<PlannedRequest<Kind>[]> {
  // A personalised request's content is on its first (and only) outbox row; a batch's rows have none.
  const rows = await db
    .selectFrom('message_request as r')
    .leftJoin('message_outbox as o', (join) =>
      join
        .onRef('o.workspace_id', '=', 'r.workspace_id')
        .onRef('o.send_id', '=', 'r.send_id')
        .onRef('o.seq', '=', 'r.seq_from'),
    )
    .select(['r.seq_from', 'r.seq_to', 'r.kind', 'r.retry_key', 'r.created_at', 'o.messages'])
    .where('r.workspace_id', '=', workspaceId)
    .where('r.send_id', '=', send.id)
    .where('r.status', '=', 'pending')
    .orderBy('r.seq_from')
    .limit(limit)
    .execute();
  const expired = rows.filter((r) => Date.now() - r.created_at.getTime() > adapter.retryKeyLifetimeMs);
  if (expired.length)
    await db
      .updateTable('message_request')
      .set({
        status: 'failed',
        error: 'retry key expired before the channel confirmed the request',
        finished_at: new Date(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('send_id', '=', send.id)
      .where(
        'seq_from',
        'in',
        expired.map((r) => r.seq_from),
      )
      .execute();
  const live = rows.filter((r) => !expired.includes(r));
  if (!live.length) return [];
  // The same recipients as when the request was planned: its range's rows still queued.
  const { rows: members } = await sql<{ seq: number; address: string }>`
    select seq, address from message_outbox
    where workspace_id = ${workspaceId} and send_id = ${send.id} and status = 'queued'
      and seq between ${live[0]!.seq_from} and ${Math.max(...live.map((r) => r.seq_to))}
    order by seq`.execute(db);
  return live.map((r) => ({
    seqFrom: r.seq_from,
    // The kind was written by this adapter's plan (planRequests below).
    kind: r.kind as Kind,
    retryKey: r.retry_key,
    recipients: members.filter((m) => m.seq >= r.seq_from && m.seq <= r.seq_to).map((m) => m.address),
    messages: r.messages ?? send.messages,
  }));
}

type Draft<Kind extends string> = PlannedRequest<Kind> & { seqTo: number };
type Skip = { seq: number; reason: SkipReason; rule: string | null };

/**
 * Plans up to `count` new requests from the outbox past the send's cursor, in one transaction:
 * applies the send policy as of `now` (send-policy.ts: a marketing send in quiet hours is held,
 * returning no requests, or its recipients are skipped; a recipient at the channel's frequency
 * cap is skipped), checks consent now (recipients who blocked the account or withdrew are skipped
 * with the reason), groups shared content into the adapter's batches and gives personalised
 * content a request each, and stores each request with its new retry key before anything is sent.
 */
export async function planRequests<Kind extends string>(
  db: Kysely<DB>,
  adapter: ChannelAdapter<Kind>,
  workspaceId: string,
  send: SendRecord,
  count: number,
  now: Date = new Date(),
): Promise<PlannedRequest<Kind>[]> {
  return transact(db, async (tx) => {
    const state = await readPlanState(tx, adapter.channel, workspaceId, send.id, now);
    if (state.nextSeq >= state.total) return [];
    if (state.quiet?.hold) {
      await holdForQuietHours(tx, workspaceId, send.id, state.quiet.until);
      return [];
    }
    const { shared, personal } = adapter.batching;
    const requests: Draft<Kind>[] = [];
    const skipped: Skip[] = [];
    // The messages this plan makes that the cap counts (written to its ledger before commit).
    const counted: { seq: number; customerId: number }[] = [];
    let group: Draft<Kind> | undefined;
    let nextSeq = state.nextSeq;
    const close = () => {
      if (group) requests.push(group);
      group = undefined;
    };
    const wanted = () => (count - requests.length) * shared.maxRecipients;
    const chunks = outboxChunks(tx, adapter, state, workspaceId, send.id, wanted);
    // Whether the plan stopped for `count` before the end of what is written.
    let full = false;
    plan: for await (const chunk of chunks) {
      await markSuppressed(tx, adapter, workspaceId, chunk);
      const atCap =
        state.cap && !state.quiet
          ? await lockAndFindCapped(tx, workspaceId, adapter.channel, state.cap, sendable(chunk), now)
          : undefined;
      for (const row of chunk) {
        if (requests.length >= count) {
          full = true;
          break plan;
        }
        nextSeq = row.seq + 1;
        if (row.status !== 'queued') continue;
        const skip = row.skip ?? policySkip(state, row, atCap);
        if (skip) {
          skipped.push({ seq: row.seq, ...skip });
          continue;
        }
        const base = { retryKey: randomUUID(), seqFrom: row.seq, seqTo: row.seq };
        if (row.messages) {
          close();
          if (requests.length >= count) {
            nextSeq = row.seq;
            full = true;
            break plan;
          }
          requests.push({ ...base, kind: personal, recipients: [row.address!], messages: row.messages });
        } else {
          group ??= { ...base, kind: shared.kind, recipients: [], messages: send.messages };
          group.recipients.push(row.address!);
          group.seqTo = row.seq;
          if (group.recipients.length >= shared.maxRecipients) close();
        }
        if (state.cap) counted.push({ seq: row.seq, customerId: Number(row.customer_id) });
      }
    }
    // Read to the end: seqs no row has (a streamed outbox's gaps) are passed too.
    if (!full) nextSeq = Math.max(nextSeq, state.total);
    if (group && state.writing && group.recipients.length < shared.maxRecipients) {
      // The outbox goes on past what is written: a part-filled batch at its end is left to the
      // next plan, which fills it from the next chunk (a chunk's end would otherwise cost a
      // request of a few recipients each time). Its rows' skips and cap entries wait with it.
      const from = group.seqFrom;
      group = undefined;
      nextSeq = from;
      dropFrom(skipped, from);
      dropFrom(counted, from);
    }
    close();
    if (state.cap) await recordCapped(tx, workspaceId, adapter.channel, send.id, counted, now);
    await recordPlan(tx, workspaceId, send.id, skipped, requests, nextSeq);
    return requests;
  });
}

/** Drops the entries from seq `from` on (the list is in seq order). */
function dropFrom(list: { seq: number }[], from: number): void {
  const at = list.findIndex((k) => k.seq >= from);
  if (at >= 0) list.length = at;
}

/**
 * Skips the chunk's queued recipients whose address the channel has suppressed (email: a hard
 * bounce, a complaint), whatever consent says now: a re-granted consent does not revive an
 * address that bounced. Consent's own reason, if any, stays first.
 */
async function markSuppressed(
  tx: Kysely<DB>,
  adapter: ChannelAdapter,
  workspaceId: string,
  chunk: OutboxRow[],
): Promise<void> {
  if (!adapter.suppressedAddresses) return;
  const open = chunk.filter((r) => r.status === 'queued' && !r.skip && r.address);
  if (!open.length) return;
  const suppressed = await adapter.suppressedAddresses(
    tx,
    workspaceId,
    open.map((r) => r.address!),
  );
  for (const row of open) if (suppressed.has(row.address!)) row.skip = { reason: 'suppressed', rule: null };
}

/** Queued recipients consent lets through: the ones whose cap rows a plan must lock. */
function sendable(chunk: OutboxRow[]): number[] {
  return chunk.filter((r) => r.status === 'queued' && !r.skip).map((r) => Number(r.customer_id));
}

function policySkip(
  state: PlanState,
  row: OutboxRow,
  atCap: Set<number> | undefined,
): { reason: SkipReason; rule: string | null } | null {
  if (state.quiet) return { reason: 'quiet_hours', rule: state.quiet.rule };
  if (state.cap && atCap?.has(Number(row.customer_id)))
    return { reason: 'capped', rule: capRule(state.channel, state.cap) };
  return null;
}

async function recordPlan<Kind extends string>(
  tx: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  skipped: Skip[],
  requests: Draft<Kind>[],
  nextSeq: number,
): Promise<void> {
  if (skipped.length)
    await sql`
      update message_outbox o set status = 'skipped', reason = v.reason, rule = v.rule
      from unnest(${skipped.map((s) => s.seq)}::int[], ${skipped.map((s) => s.reason)}::text[], ${skipped.map((s) => s.rule)}::text[]) as v(seq, reason, rule)
      where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq = v.seq`.execute(tx);
  if (requests.length)
    await tx
      .insertInto('message_request')
      .values(
        requests.map((r) => ({
          workspace_id: workspaceId,
          send_id: sendId,
          seq_from: r.seqFrom,
          seq_to: r.seqTo,
          // An adapter's kinds are among RequestKind (the 0027 check admits the same list).
          kind: r.kind as RequestKind,
          retry_key: r.retryKey,
          recipient_count: r.recipients.length,
          status: 'pending' as const,
        })),
      )
      .execute();
  await tx
    .updateTable('message_send')
    .set({ next_seq: nextSeq })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .execute();
}

interface OutboxRow {
  seq: number;
  customer_id: number | string;
  address: string | null;
  messages: unknown[] | null;
  status: string;
  /** What consent says now: a skip reason, or null when the recipient may be sent to. */
  skip: { reason: SkipReason; rule: null } | null;
}

/**
 * The outbox from the cursor on, with what each queued recipient's consent says now, read in
 * chunks: 256 rows, then as many as the requests still to plan could hold, so a cycle of
 * personal requests reads few rows and one of batches reads about what it uses. A marketing send
 * reads the channel's marketing consent; a transactional one reads the transactional consent
 * (an opt-out of it skips) and the marketing one only for a block (a block stops everything).
 */
async function* outboxChunks(
  tx: Kysely<DB>,
  adapter: ChannelAdapter,
  state: PlanState,
  workspaceId: string,
  sendId: number,
  wanted: () => number,
): AsyncGenerator<OutboxRow[]> {
  let from = state.nextSeq;
  const transactional = state.kind === 'transactional';
  const second = transactional ? consentOfRow('o', adapter.channel, 'transactional') : sql<null>`null`;
  // Never past `state.total`: a streamed outbox's chunks commit in any order, and a row committed
  // past a chunk still being written must wait until the plan's end has moved past that chunk.
  for (let size = 256; from < state.total; size = Math.min(Math.max(wanted(), 256), 65_536)) {
    const { rows } = await sql<
      Omit<OutboxRow, 'skip'> & { consent: ConsentStatus | null; other: ConsentStatus | null }
    >`
      select o.seq, o.customer_id, o.address, o.messages, o.status,
        ${consentOfRow('o', adapter.channel, 'marketing')} as consent, ${second} as other
      from message_outbox o
      where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq >= ${from} and o.seq < ${Math.min(from + size, state.total)}
      order by o.seq`.execute(tx);
    yield rows.map(({ consent, other, ...row }) => {
      const reason = transactional ? transactionalSkipReason(consent, other) : consentSkipReason(consent);
      return { ...row, skip: reason ? { reason, rule: null } : null };
    });
    from += size;
  }
}
