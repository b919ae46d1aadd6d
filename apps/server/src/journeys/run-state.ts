// The engine's SQL over runs and steps: claim a batch of due runs, record executed steps, write
// the batch's new run states back. Each is one statement for the whole batch.
import { sql, type Transaction } from 'kysely';
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

/**
 * Records step `stepNo` of each run (the node it executes now) and returns the runs whose row is
 * new. A run whose row already exists had this step's effect committed before: the caller must
 * not make it again.
 */
export async function insertSteps(
  tx: Transaction<DB>,
  workspaceId: string,
  runs: readonly RunState[],
  node: { id: string; type: string },
  outcome: string,
  now: Date,
): Promise<Set<number>> {
  if (!runs.length) return new Set();
  const { rows } = await sql<{ run_id: number }>`
    insert into journey_step (workspace_id, run_id, step_no, node_id, node_type, outcome, executed_at)
    select ${workspaceId}::uuid, u.run_id, u.step_no, ${node.id}, ${node.type}, ${outcome}, ${now}::timestamptz
    from unnest(${runs.map((r) => r.id)}::bigint[], ${runs.map((r) => r.stepNo)}::int[]) u(run_id, step_no)
    on conflict do nothing
    returning run_id`.execute(tx);
  return new Set(rows.map((r) => Number(r.run_id)));
}

/** Sets outcome, detail or send of steps already recorded in this transaction. */
export async function updateSteps(
  tx: Transaction<DB>,
  workspaceId: string,
  steps: readonly { runId: number; stepNo: number; outcome: string; detail?: unknown; sendId?: number }[],
): Promise<void> {
  if (!steps.length) return;
  await sql`
    update journey_step s set outcome = u.outcome, detail = u.detail, send_id = u.send_id
    from unnest(${steps.map((s) => s.runId)}::bigint[], ${steps.map((s) => s.stepNo)}::int[],
      ${steps.map((s) => s.outcome)}::text[], ${steps.map((s) => (s.detail === undefined ? null : JSON.stringify(s.detail)))}::jsonb[],
      ${steps.map((s) => s.sendId ?? null)}::bigint[]) u(run_id, step_no, outcome, detail, send_id)
    where s.workspace_id = ${workspaceId} and s.run_id = u.run_id and s.step_no = u.step_no`.execute(tx);
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A step of a node without an effect, written by saveRuns. */
export interface TraceStep {
  runId: number;
  stepNo: number;
  nodeId: string;
  nodeType: string;
  outcome: string;
}

/**
 * Writes every claimed run's state back and records the batch's traced steps, in one statement.
 */
export async function saveRuns(
  tx: Transaction<DB>,
  workspaceId: string,
  runs: readonly RunState[],
  trace: readonly TraceStep[],
  now: Date,
): Promise<void> {
  if (!runs.length) return;
  // Each list travels as one JSON parameter: node-postgres formats a JS array element by
  // element, which for eight arrays of a thousand runs cost more than the statement itself.
  const steps = JSON.stringify(
    trace.map((t) => ({ r: t.runId, n: t.stepNo, i: t.nodeId, t: t.nodeType, o: t.outcome })),
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
  const { numAffectedRows } = await sql`
    with steps as (
      insert into journey_step (workspace_id, run_id, step_no, node_id, node_type, outcome, executed_at)
      select ${workspaceId}::uuid, t.r, t.n, t.i, t.t, t.o, ${now}::timestamptz
      from jsonb_to_recordset(${steps}::jsonb) t(r bigint, n int, i text, t text, o text)
      on conflict do nothing)
    update journey_run r set node_id = u.node, step_count = u.n, due_at = u.due,
      wait_event = u.ev, wait_since = u.since, wait_until = u.until,
      status = case when u.exit is null then 'active' else 'exited' end,
      exited_at = case when u.exit is null then null else ${now}::timestamptz end,
      exit_reason = u.exit
    from jsonb_to_recordset(${states}::jsonb)
      u(id bigint, ct tid, node text, n int, due timestamptz, ev text, since timestamptz, until timestamptz, exit text)
    where r.ctid = u.ct and r.workspace_id = ${workspaceId} and r.id = u.id`.execute(tx);
  // A row moved since the claim would be a bug (something updated a claimed run in the batch):
  // fail the batch rather than leave a run at the node whose effect was just made.
  if (Number(numAffectedRows ?? 0) !== runs.length)
    throw new Error(`journey write-back reached ${numAffectedRows} of ${runs.length} claimed runs`);
}
