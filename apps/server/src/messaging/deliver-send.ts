// Delivering a send through its channel's adapter, exactly once per recipient.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobContext } from '../jobs/job-types.ts';
import { clockOf } from '../shared/clock.ts';
import type { ChannelAdapter, ChannelSender, PlannedRequest, SendRecord } from './channel-adapter.ts';
import type { RequestOutcome } from './decisions.ts';
import { sleep } from './pacer.ts';
import { pendingRequests, planRequests } from './plan-requests.ts';
import { OutcomeRecorder } from './record-outcomes.ts';
import {
  acquireLease,
  finishSend,
  outboxWriting,
  pauseSend,
  releaseLease,
  renewLease,
} from './send-lease.ts';
import { releaseQuietHold } from './send-status.ts';

export interface DeliverOptions {
  /** Requests planned and sent per cycle (default 128: up to 64,000 LINE multicast recipients). */
  requestsPerCycle?: number;
  /** Requests in flight at once (default: the adapter's `concurrency`, else 16). */
  concurrency?: number;
  /** How long a worker's claim on a send lasts unless renewed (default 5 s). */
  leaseMs?: number;
  /** The business clock the send policy reads (quiet hours, the cap's window); default: the wall clock. */
  now?: () => Date;
}

/**
 * `held`: paused for quiet hours; the send's `resumeAt` says when to deliver it again.
 * `incomplete`: everything written is delivered, but the outbox's writer stopped before the end;
 * a repeat of the create (same key, same recipients) finishes it and enqueues the delivery again.
 */
export type DeliverResult = 'done' | 'paused' | 'held' | 'busy' | 'gone' | 'incomplete';

/**
 * Delivers a send: plans requests from the outbox (retry key persisted first), has the adapter
 * perform them, records each outcome as it arrives, and repeats until every message is sent,
 * failed or skipped. A worker holds a lease on the send while it works; a worker that died
 * leaves its pending requests, which the next one resends with the same keys, so no recipient
 * is lost. A channel that recognises a resent key (LINE) gives each recipient one copy; for one
 * that does not (SMTP), a slot's next request may be transmitted but not accepted before the
 * previous outcome is committed, so a dead worker leaves at most one accepted-but-unrecorded
 * request per slot (the adapter's `concurrency`) to be sent again. A quota answer pauses the send:
 * nothing is dropped, and a resume carries on from the pending requests.
 */
export async function deliverSend<Kind extends string>(
  context: JobContext,
  adapter: ChannelAdapter<Kind>,
  workspaceId: string,
  sendId: number,
  options: DeliverOptions = {},
): Promise<DeliverResult> {
  const db = context.database.db;
  const row = await db
    .selectFrom('message_send')
    .select(['channel_id', 'messages', 'aggregation_unit'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    // Another channel's send is not this adapter's to deliver.
    .where('channel', '=', adapter.channel)
    .executeTakeFirst();
  if (!row) return 'gone';
  const send: SendRecord = {
    id: sendId,
    channelId: row.channel_id,
    messages: row.messages,
    aggregationUnit: row.aggregation_unit,
  };
  // Business time (the send policy's quiet hours and cap window) comes from the job's clock.
  const now = options.now ?? (() => clockOf(context).now());
  if (await releaseQuietHold(db, workspaceId, sendId, now())) return 'held';
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? 5_000;
  const acquired = await acquireLease(db, workspaceId, sendId, owner, leaseMs);
  if (acquired !== 'sending') return acquired;
  const sender = await adapter.open(context, workspaceId, send);
  const concurrency = options.concurrency ?? sender.concurrency;
  const run = new DeliveryRun(context, adapter, workspaceId, send, owner, {
    ...options,
    now,
    ...(concurrency !== undefined ? { concurrency } : {}),
  });
  const result = await run.loop(sender);
  if (result !== 'paused') return result;
  // The planner holds a send for quiet hours by pausing it: let go of it, say so.
  const held = await db
    .updateTable('message_send')
    .set({ lease_owner: null, lease_until: null })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .where('paused_reason', '=', 'quiet_hours')
    .returning('id')
    .executeTakeFirst();
  return held ? 'held' : 'paused';
}

/** How often a delivery that caught up with a large send's outbox writer looks for its next chunk. */
const WRITER_POLL_MS = 20;

/** One worker's pass over a send while it holds the lease. */
class DeliveryRun<Kind extends string> {
  readonly #db: Kysely<DB>;
  readonly #perCycle: number;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #now: () => Date;
  // The first batches are small so the first requests leave at once; later ones full size.
  #cycle: number;
  #nextPlan: Promise<PlannedRequest<Kind>[]> | undefined;
  #lastRecord: Promise<void> = Promise.resolve();
  readonly #recorder: OutcomeRecorder;

  readonly context: JobContext;
  readonly adapter: ChannelAdapter<Kind>;
  readonly workspaceId: string;
  readonly send: SendRecord;
  readonly owner: string;

  constructor(
    context: JobContext,
    adapter: ChannelAdapter<Kind>,
    workspaceId: string,
    send: SendRecord,
    owner: string,
    options: DeliverOptions,
  ) {
    this.context = context;
    this.adapter = adapter;
    this.workspaceId = workspaceId;
    this.send = send;
    this.owner = owner;
    this.#db = context.database.db;
    this.#perCycle = options.requestsPerCycle ?? 128;
    this.#concurrency = options.concurrency ?? adapter.concurrency ?? 16;
    // PostgreSQL: up to 4 outcome writes in flight, so an answer that arrives during a commit
    // does not wait for it to end before its own begins (concurrent commits share WAL flushes);
    // PGlite has one connection, in this thread, where a second write would only queue.
    this.#recorder = new OutcomeRecorder(
      this.#db,
      workspaceId,
      send.id,
      context.database.kind === 'postgres' ? 4 : 1,
    );
    this.#leaseMs = options.leaseMs ?? 5_000;
    this.#now = options.now ?? (() => clockOf(context).now());
    this.#cycle = Math.min(8, this.#perCycle);
  }

  #plan(): Promise<PlannedRequest<Kind>[]> {
    const size = this.#cycle;
    this.#cycle = Math.min(this.#perCycle, this.#cycle * 2);
    return planRequests(this.#db, this.adapter, this.workspaceId, this.send, size, this.#now());
  }

  /** Waits for written outcomes and the batch being planned (its requests are stored as pending). */
  async #settle(): Promise<void> {
    await this.#lastRecord;
    await this.#nextPlan;
  }

  /**
   * Pipelined: the next batch is planned (and its retry keys stored) while this one is on the
   * wire, and each outcome is written as it arrives (`#performAll`). Pending requests, left by a
   * dead worker or by the channel being unavailable, are read only once everything is written.
   */
  async loop(sender: ChannelSender<Kind>): Promise<DeliverResult> {
    const { workspaceId, send } = this;
    let checkPending = true;
    let idleRounds = 0;
    for (;;) {
      const status = await renewLease(this.#db, workspaceId, send.id, this.owner, this.#leaseMs);
      if (status !== 'sending') {
        await this.#settle();
        return status === 'paused' ? 'paused' : 'busy';
      }
      let batch: PlannedRequest<Kind>[] = [];
      if (checkPending) {
        await this.#settle();
        this.#nextPlan = undefined;
        batch = await pendingRequests(this.#db, this.adapter, workspaceId, send, this.#perCycle);
        checkPending = false;
      }
      if (!batch.length) {
        batch = await (this.#nextPlan ?? this.#plan());
        this.#nextPlan = undefined;
      }
      if (!batch.length) {
        await this.#lastRecord;
        if (await finishSend(this.#db, workspaceId, send.id)) {
          this.context.logger.info({ sendId: send.id }, `${this.adapter.label} send done`);
          return 'done';
        }
        // A large send's outbox still being written: wait for its next chunk to commit.
        const writing = await outboxWriting(this.#db, workspaceId, send.id);
        if (writing === 'writing') {
          await sleep(WRITER_POLL_MS);
          continue;
        }
        if (writing === 'stalled') {
          await this.#settle();
          await releaseLease(this.#db, workspaceId, send.id, this.owner);
          this.context.logger.warn(
            { sendId: send.id },
            `${this.adapter.label} send: its outbox writer stopped before the end; what was written is delivered, and repeating the create with the same key finishes it`,
          );
          return 'incomplete';
        }
        checkPending = true;
        continue;
      }
      this.#nextPlan = this.#plan();
      this.#nextPlan.catch(() => undefined); // awaited later; keep an early failure from being unhandled
      const outcomes = await this.#performAll(batch, sender);
      if (outcomes.some((o) => o.kind !== 'accepted' && o.kind !== 'failed')) checkPending = true;
      if (outcomes.some((o) => o.kind === 'quota')) return this.#pauseForQuota();
      // The channel unavailable for a whole cycle: wait before the next round of retries.
      idleRounds = outcomes.every((o) => o.kind === 'retry_later') ? idleRounds + 1 : 0;
      if (idleRounds) await sleep(Math.min(30_000, 500 * 2 ** idleRounds));
    }
  }

  /**
   * Performs a batch, `concurrency` requests at a time, recording each outcome as it arrives.
   * A channel that recognises a resent retry key (LINE) goes on at once; its outcomes are awaited
   * before pending requests are read. One that does not (SMTP) goes through `#performHeld`.
   */
  async #performAll(batch: PlannedRequest<Kind>[], sender: ChannelSender<Kind>): Promise<RequestOutcome[]> {
    if (!this.adapter.recognisesRetryKey) return this.#performHeld(batch, sender);
    const previous = this.#lastRecord;
    const records: Promise<void>[] = [];
    const outcomes = await runPool(batch, this.#concurrency, async (request) => {
      const outcome = await sender.perform(request);
      const recorded = this.#recorder.record(request.seqFrom, outcome);
      recorded.catch(() => undefined); // awaited below through #lastRecord
      records.push(recorded);
      return outcome;
    });
    await previous;
    this.#lastRecord = Promise.all(records).then(() => undefined);
    this.#lastRecord.catch(() => undefined); // awaited later; keep an early failure from being unhandled
    return outcomes;
  }

  /**
   * For a channel that does not recognise a resent retry key (SMTP): each slot hands the adapter
   * its next request as soon as the previous reply is in, with that reply's commit as `hold`. The
   * adapter prepares and transmits the request meanwhile but lets the channel accept it only once
   * `hold` resolves (SMTP: the final `.` waits), and the slot waits for `hold` too before going
   * on. So at any instant a slot has at most one accepted-but-unrecorded request: a worker killed
   * then leaves at most one per slot to be sent again, while the commit overlaps the next
   * message's preparation and transfer instead of adding to each message's time.
   */
  async #performHeld(batch: PlannedRequest<Kind>[], sender: ChannelSender<Kind>): Promise<RequestOutcome[]> {
    await this.#lastRecord;
    const outcomes: RequestOutcome[] = new Array(batch.length);
    let next = 0;
    const claim = () => (next < batch.length ? next++ : undefined);
    const slot = async () => {
      let committed: Promise<void> = Promise.resolve();
      let index = claim();
      while (index !== undefined) {
        const request = batch[index]!;
        // The slot's next request is claimed now and prepared (email: built and signed) while
        // this one is on the wire: one request ahead per slot, never sent before its turn.
        const ahead = claim();
        if (ahead !== undefined) sender.prepare?.(batch[ahead]!);
        const hold = committed;
        const outcome = await sender.perform(request, hold);
        // Whatever the adapter did with it, nothing more leaves this slot before it is committed.
        await hold;
        outcomes[index] = outcome;
        committed = this.#recorder.record(request.seqFrom, outcome);
        committed.catch(() => undefined); // awaited by the next request or below
        index = ahead;
      }
      await committed;
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, batch.length) }, slot));
    return outcomes;
  }

  async #pauseForQuota(): Promise<'paused'> {
    await this.#settle();
    await pauseSend(this.#db, this.workspaceId, this.send.id, 'monthly_quota_exhausted');
    this.context.logger.warn(
      { sendId: this.send.id, channelId: this.send.channelId },
      `${this.adapter.label} monthly message quota exhausted: send paused, nothing dropped. Raise the quota (or wait for the month to turn), then resume the send`,
    );
    return 'paused';
  }
}

async function runPool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
