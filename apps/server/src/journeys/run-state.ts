// The engine's SQL over runs and steps: claim a batch of due runs, record executed steps, write
// the batch's new run states back. Each is one statement for the whole batch.
import { sql, type Transaction } from 'kysely';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import type { ExitReason } from './journey-tables.ts';

/** A claimed run as the engine moves it; written back by saveRuns. */
export interface RunState {
  id: number;
  /** The locked row's physical address, where saveRuns writes it back (claimSql says why). */
  ctid: string;
  journeyId: number;
  version: number;
  customerId: number;
  nodeId: string;
  stepNo: number;
  /** The instant the current node was due: waits count from here, not from a late engine's now. */
  at: Date;
  /** When the run is next due; null after an exit. */
  dueAt: Date | null;
  waitEvent: string | null;
  waitSince: Date | null;
  waitUntil: Date | null;
  exitReason: ExitReason | null;
}

interface ClaimRow {
  id: number;
  ctid: string;
  journey_id: number;
  version: number;
  customer_id: number;
  node_id: string;
  step_count: number;
  due_at: Date;
  wait_event: string | null;
  wait_since: Date | null;
  wait_until: Date | null;
}

/**
 * The claim: up to `limit` due runs of live journeys, oldest due first, locked. SKIP LOCKED: a
 * second worker takes the next runs instead of waiting for these, and never gets the same run.
 *
 * The live journeys are an array computed once (an InitPlan), not a join: with a join the
 * planner estimated few rows, hash-joined every due run and sorted them all for each batch
 * (a million runs due at one instant: a million rows sorted per thousand claimed). This way the
 * claim walks journey_run_due_idx (workspace, due_at, id) in order and stops after `limit` rows.
 * `after` (the last run an earlier batch of the same pass claimed) starts the walk past it: the
 * index entries of the runs already advanced stay in the index, dead, until a vacuum, and a claim
 * from the start stepped over all of them (a million runs due at once: half a million entries
 * on average, 31 of each batch's 173 ms). Exported for bench/journeys, whose baseline claims the
 * same way.
 *
 * The claim returns each row's ctid: the rows stay locked by this transaction until it ends and
 * nothing in the batch updates them before saveRuns, so the address holds, and the write-back
 * reaches each row by a TID scan instead of a descent of the primary key.
 */
export function claimSql(workspaceId: string, now: Date, limit: number, after?: ClaimKey) {
  return sql<ClaimRow>`
    select r.id, r.ctid::text as ctid, r.journey_id, r.version, r.customer_id, r.node_id, r.step_count,
      r.due_at, r.wait_event, r.wait_since, r.wait_until
    from journey_run r
    where r.workspace_id = ${workspaceId} and r.status = 'active' and r.due_at <= ${now}
      and ${after ? sql`(r.due_at, r.id) > (${after.dueAt}::timestamptz, ${after.id}::bigint)` : sql`true`}
      and r.journey_id = any(array(select j.id from journey j where j.workspace_id = ${workspaceId} and j.status = 'live'))
    order by r.due_at, r.id
    limit ${limit}
    for update of r skip locked`;
}

/** Where a claim in due order stopped: its last run's due instant and id. */
export interface ClaimKey {
  dueAt: Date;
  id: number;
}

/** Locks up to `limit` due runs of live journeys (claimSql) and returns their state. */
export async function claimDueRuns(
  tx: Transaction<DB>,
  workspaceId: string,
  now: Date,
  limit: number,
  after?: ClaimKey,
): Promise<RunState[]> {
  const { rows } = await claimSql(workspaceId, now, limit, after).execute(tx);
  return rows.map((r) => ({
    id: Number(r.id),
    ctid: r.ctid,
    journeyId: Number(r.journey_id),
    version: r.version,
    customerId: Number(r.customer_id),
    nodeId: r.node_id,
    stepNo: r.step_count,
    at: r.due_at,
    dueAt: r.due_at,
    waitEvent: r.wait_event,
    waitSince: r.wait_since,
    waitUntil: r.wait_until,
    exitReason: null,
  }));
}

/** A step of the batch: written with the runs' new state at the end of the batch (saveRuns). */
export interface StepRecord {
  runId: number;
  stepNo: number;
  nodeId: string;
  nodeType: string;
  outcome: string;
  detail?: unknown;
  sendId?: number | undefined;
}

/** What a node decided about one of its steps: its outcome, detail and send. */
export type StepOutcome = Pick<StepRecord, 'runId' | 'stepNo' | 'outcome' | 'detail' | 'sendId'>;

/**
 * The batch's steps, kept in memory and written once, by saveRuns, in the statement that writes
 * the runs back: the transaction of every effect of the batch.
 *
 * Why a step's effect cannot happen twice: a run's step N is recorded in the transaction that
 * moves the run's `step_count` past N, and only the engine writes either, with the run locked
 * by its claim. A committed step N therefore means a run already claimed at N + 1 or later, and
 * a claim at N means step N was never committed. saveRuns counts the steps it inserted: a step
 * found recorded after all (a bug) fails the batch, and its effects roll back with it.
 * Before, each effect's step row was inserted first (`on conflict do nothing`, the fresh ones
 * returned) and then updated with its outcome and send: every send step written twice.
 */
export class StepLog {
  private readonly rows = new Map<string, StepRecord>();

  /**
   * Records each run's current step (`stepNo`) as an execution of `node` with `outcome`. A node
   * with an effect records its steps before making it, then sets what happened with `update`.
   */
  trace(runs: readonly RunState[], node: { id: string; type: string }, outcome: string): void {
    for (const r of runs)
      this.rows.set(`${r.id}.${r.stepNo}`, {
        runId: r.id,
        stepNo: r.stepNo,
        nodeId: node.id,
        nodeType: node.type,
        outcome,
      });
  }

  /** Sets outcome, detail and send of steps recorded in this batch (detail and send replaced). */
  update(steps: readonly StepOutcome[]): void {
    for (const s of steps) {
      const row = this.rows.get(`${s.runId}.${s.stepNo}`);
      if (!row) continue;
      row.outcome = s.outcome;
      row.detail = s.detail;
      row.sendId = s.sendId;
    }
  }

  /** Adds `extra`'s keys to the detail of a step recorded in this batch. */
  mergeDetail(runId: number, stepNo: number, extra: Record<string, unknown>): void {
    const row = this.rows.get(`${runId}.${stepNo}`);
    if (!row) return;
    const detail =
      row.detail && typeof row.detail === 'object' ? (row.detail as Record<string, unknown>) : {};
    row.detail = { ...detail, ...extra };
  }

  /** Which of `runIds` executed node `nodeId` in this batch. */
  executed(nodeId: string, runIds: readonly number[]): Set<number> {
    const wanted = new Set(runIds);
    const found = new Set<number>();
    for (const row of this.rows.values())
      if (row.nodeId === nodeId && wanted.has(row.runId)) found.add(row.runId);
    return found;
  }

  /** Every step of the batch, in the order recorded. */
  all(): StepRecord[] {
    return [...this.rows.values()];
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Writes every claimed run's state back and records the batch's steps, in one statement.
 */
export async function saveRuns(
  tx: Transaction<DB>,
  workspaceId: string,
  runs: readonly RunState[],
  steps: readonly StepRecord[],
  now: Date,
): Promise<void> {
  if (!runs.length) return;
  // Each list travels as one JSON parameter: node-postgres formats a JS array element by
  // element, which for eight arrays of a thousand runs cost more than the statement itself.
  const stepList = JSON.stringify(
    steps.map((t) => ({
      r: t.runId,
      n: t.stepNo,
      i: t.nodeId,
      t: t.nodeType,
      o: t.outcome,
      d: t.detail ?? null,
      s: t.sendId ?? null,
    })),
  );
  const states = JSON.stringify(
    runs.map((r) => ({
      id: r.id,
      ct: r.ctid,
      node: r.nodeId,
      n: r.stepNo,
      due: iso(r.dueAt),
      ev: r.waitEvent,
      since: iso(r.waitSince),
      until: iso(r.waitUntil),
      exit: r.exitReason,
    })),
  );
  // Prepared (once per connection): its text is fixed, and it runs once per batch.
  const { rows } = await prepared(
    'journeys.save_runs',
    sql<{ steps: number; moved: number }>`
    with steps as (
      insert into journey_step (workspace_id, run_id, step_no, node_id, node_type, outcome, detail, send_id, executed_at)
      select ${workspaceId}::uuid, t.r, t.n, t.i, t.t, t.o, t.d, t.s, ${now}::timestamptz
      from jsonb_to_recordset(${stepList}::jsonb) t(r bigint, n int, i text, t text, o text, d jsonb, s bigint)
      on conflict do nothing
      returning 1),
    moved as (
      update journey_run r set node_id = u.node, step_count = u.n, due_at = u.due,
        wait_event = u.ev, wait_since = u.since, wait_until = u.until,
        status = case when u.exit is null then 'active' else 'exited' end,
        exited_at = case when u.exit is null then null else ${now}::timestamptz end,
        exit_reason = u.exit
      from jsonb_to_recordset(${states}::jsonb)
        u(id bigint, ct tid, node text, n int, due timestamptz, ev text, since timestamptz, until timestamptz, exit text)
      where r.ctid = u.ct and r.workspace_id = ${workspaceId} and r.id = u.id
      returning 1)
    select (select count(*) from steps)::int as steps, (select count(*) from moved)::int as moved`,
  ).execute(tx);
  const written = rows[0] ?? { steps: 0, moved: 0 };
  // A row moved since the claim would be a bug (something updated a claimed run in the batch):
  // fail the batch rather than leave a run at the node whose effect was just made.
  if (written.moved !== runs.length)
    throw new Error(`journey write-back reached ${written.moved} of ${runs.length} claimed runs`);
  // So would a step already recorded (StepLog says why it cannot be): the batch's effects roll
  // back with it rather than be made a second time.
  if (written.steps !== steps.length)
    throw new Error(
      `journey_step: ${steps.length - written.steps} of the batch's ${steps.length} steps were already recorded; the batch is rolled back`,
    );
}
