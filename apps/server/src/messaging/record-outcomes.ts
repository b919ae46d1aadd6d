// Writing each request's outcome as its answer arrives (group commit), not once per cycle.
import { type Kysely, sql } from 'kysely';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import type { RequestOutcome } from './decisions.ts';

interface Waiting {
  seqFrom: number;
  outcome: RequestOutcome;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Records the outcomes of one send's requests as they arrive. Up to `maxWrites` writes are in
 * flight at a time; the answers that arrive while they run wait and go together in the next one
 * (group commit), so a quiet channel gets one write per answer and a busy one few writes of many. `record` resolves
 * once the outcome is committed.
 *
 * Why it matters: between a channel's answer and its commit, a killed worker loses the outcome
 * and the next worker resends the request. LINE recognises the resend by its retry key; SMTP
 * cannot, so the receiver gets a second copy (with the same Message-ID). Writing per cycle left
 * a whole cycle's answers (up to 128) in that window; writing as they arrive leaves only the
 * answers of one write's duration, and a sender that waits for `record` before its next request
 * (deliver-send.ts, for a channel that does not recognise retries) leaves at most one per
 * request in flight.
 *
 * @example
 * const recorder = new OutcomeRecorder(db, workspaceId, sendId);
 * await recorder.record(request.seqFrom, await sender.perform(request));
 */
export class OutcomeRecorder {
  readonly #db: Kysely<DB>;
  readonly #workspaceId: string;
  readonly #sendId: number;
  readonly #maxWrites: number;
  #waiting: Waiting[] = [];
  #writes = 0;
  #scheduled = false;

  /**
   * `maxWrites`: writes in flight at once (default 1). With more than one, an answer that
   * arrives while a write is committing starts its own write on another connection at once,
   * instead of waiting for that commit to end and then for its own; on PostgreSQL concurrent
   * commits share their WAL flushes. The writes touch disjoint rows.
   */
  constructor(db: Kysely<DB>, workspaceId: string, sendId: number, maxWrites = 1) {
    this.#db = db;
    this.#workspaceId = workspaceId;
    this.#sendId = sendId;
    this.#maxWrites = Math.max(1, maxWrites);
  }

  /** Queues the outcome of the request starting at `seqFrom`; resolves when it is committed. */
  record(seqFrom: number, outcome: RequestOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ seqFrom, outcome, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#writes >= this.#maxWrites || !this.#waiting.length) return;
    this.#scheduled = true;
    // Let the replies already received join this group: a write that blocks the event loop
    // (PGlite runs in this thread) would otherwise end before their callbacks run, and every
    // group would hold one outcome.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#writes >= this.#maxWrites || !this.#waiting.length) return;
      const group = this.#waiting;
      this.#waiting = [];
      this.#writes++;
      writeOutcomes(this.#db, this.#workspaceId, this.#sendId, group)
        .then(
          () => {
            for (const w of group) w.resolve();
          },
          // Each caller learns of it (the send's job fails; its requests stay pending for a retry).
          (error: unknown) => {
            for (const w of group) w.reject(error);
          },
        )
        .finally(() => {
          this.#writes--;
          this.#schedule();
        });
      this.#schedule();
    });
  }
}

/**
 * One statement for a group of outcomes: accepted and failed are final, anything else stays
 * pending. The rows are named by `seq_from = any(…)` as well as by the join: with the join alone,
 * a planner whose statistics predate the send (a new table, or autoanalyze not yet run; always
 * on PGlite) scans every request of the send for each group, and a send of 3,000 messages spent
 * 6–21 ms per write instead of well under one (EXPLAIN ANALYZE, bench/email/HISTORY.md).
 *
 * Prepared (PostgreSQL): as text, every write (about one per two messages) was parsed and planned
 * again; prepared, the backend spends 0.13–0.19 ms less CPU per write (0.45–0.55 ms against
 * 0.61–0.70 ms, 1,500 writes each way, alternating), and the generic plan keeps the index
 * condition `seq_from = any(…)` (EXPLAIN of the prepared statement, bench/email/HISTORY.md).
 */
async function writeOutcomes(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  group: { seqFrom: number; outcome: RequestOutcome }[],
): Promise<void> {
  const outcomes = group.map((g) => g.outcome);
  const seqs = group.map((g) => g.seqFrom);
  const status = outcomes.map((o) =>
    o.kind === 'accepted' ? 'accepted' : o.kind === 'failed' ? 'failed' : 'pending',
  );
  await prepared(
    'messaging.outcomes',
    sql`
    update message_request r set status = v.status, attempts = r.attempts + v.attempts,
      provider_request_id = coalesce(v.request_id, r.provider_request_id), error = v.error,
      finished_at = case when v.status = 'pending' then null else now() end
    from unnest(${seqs}::int[], ${status}::text[], ${outcomes.map((o) => o.attempts)}::int[],
      ${outcomes.map((o) => (o.kind === 'accepted' ? o.providerRequestId : null))}::text[],
      ${outcomes.map((o) => (o.kind === 'failed' || o.kind === 'retry_later' ? o.error : null))}::text[])
      as v(seq_from, status, attempts, request_id, error)
    where r.workspace_id = ${workspaceId} and r.send_id = ${sendId} and r.seq_from = any(${seqs}::int[])
      and r.seq_from = v.seq_from`,
  ).execute(db);
}
