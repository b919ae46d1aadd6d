// The "message clicked" branch (クリックしたか): did the customer follow a tracked link of the
// run's message from send node X within N hours or days of it? The window starts when the run's
// latest step at X was executed. A run arriving with a click already in the window goes `yes` at
// once; otherwise it waits, as a wait for an event does (`wait_event = 'message.clicked'`): the
// trigger consumer wakes it when the customer clicks anything (clicks/ appends the event), and the
// engine then reads link_click for X's links, so a click of another message decides nothing.
// At the window's end without a click it goes `no`. A run that never passed X goes `no` at once.
import { sql } from 'kysely';
import type { ClickBranchNode } from './definition.ts';
import type { NodeContext } from './node-context.ts';
import type { RunState } from './run-state.ts';
import { parseDuration } from './wait-time.ts';

/** The origin of a send node's tracked links (send-step.ts uses the same). */
export const nodeOrigin = (journeyId: number, version: number, nodeId: string) =>
  `journey:${journeyId}/v${version}/node:${nodeId}`;

/** Runs the branch for `runs`; calls `moveOn` for each run decided (`yes` at now, `no` at its due instant). */
export async function clickBranch(
  ctx: NodeContext,
  node: ClickBranchNode,
  runs: RunState[],
  moveOn: (run: RunState, next: string, at: Date) => void,
): Promise<void> {
  const within = parseDuration(node.clicked.within) ?? 0;
  const arriving = runs.filter((r) => r.waitSince === null);
  const sentAt = await lastStepAt(ctx, node.clicked.nodeId, arriving);
  const never = arriving.filter((r) => !sentAt.has(r.id));
  for (const r of arriving) {
    const at = sentAt.get(r.id);
    if (!at) continue;
    r.waitEvent = 'message.clicked';
    r.waitSince = at;
    r.waitUntil = new Date(at.getTime() + within);
    r.dueAt = r.waitUntil;
  }
  const waiting = runs.filter((r) => r.waitSince !== null);
  const clicked = await clickedRuns(ctx, node.clicked.nodeId, waiting);
  const yes = waiting.filter((r) => clicked.has(r.id));
  const no = [...never, ...waiting.filter((r) => !clicked.has(r.id) && r.waitUntil! <= ctx.now)];
  ctx.steps.trace(yes, node, 'yes');
  ctx.steps.trace(no, node, 'no');
  for (const r of yes) {
    r.waitEvent = r.waitSince = r.waitUntil = null;
    moveOn(r, node.yes, ctx.now);
  }
  for (const r of no) {
    // A run that waited out its window goes on from the window's end, as a wait does.
    const at = r.waitUntil && r.waitUntil > r.at ? r.waitUntil : r.at;
    r.waitEvent = r.waitSince = r.waitUntil = null;
    moveOn(r, node.no, at);
  }
}

/**
 * When each run last executed node `nodeId` (its send step): in this batch (at the batch's now),
 * else as recorded, in one statement.
 */
async function lastStepAt(ctx: NodeContext, nodeId: string, runs: RunState[]): Promise<Map<number, Date>> {
  if (!runs.length) return new Map();
  const now = ctx.steps.executed(
    nodeId,
    runs.map((r) => r.id),
  );
  const earlier = runs.filter((r) => !now.has(r.id));
  const at = new Map([...now].map((id) => [id, ctx.now] as const));
  if (!earlier.length) return at;
  const { rows } = await sql<{ run_id: number; at: Date }>`
    select run_id, max(executed_at) as at from journey_step
    where workspace_id = ${ctx.workspaceId} and run_id = any(${earlier.map((r) => r.id)}::bigint[])
      and node_id = ${nodeId}
    group by run_id`.execute(ctx.tx);
  for (const r of rows) at.set(Number(r.run_id), new Date(r.at));
  return at;
}

/** The runs whose customer clicked a link of node `nodeId`'s message within the run's window. */
async function clickedRuns(ctx: NodeContext, nodeId: string, runs: RunState[]): Promise<Set<number>> {
  if (!runs.length) return new Set();
  const { rows } = await sql<{ run_id: number }>`
    select u.run_id
    from unnest(${runs.map((r) => r.id)}::bigint[], ${runs.map((r) => r.customerId)}::bigint[],
      ${runs.map((r) => r.waitSince!.toISOString())}::timestamptz[], ${runs.map((r) => r.waitUntil!.toISOString())}::timestamptz[])
      u(run_id, customer_id, since, until)
    where exists (
      select 1 from link_click c
      join tracked_link l on l.workspace_id = c.workspace_id and l.id = c.link_id
      where c.workspace_id = ${ctx.workspaceId} and c.customer_id = u.customer_id
        and l.origin = ${nodeOrigin(ctx.journeyId, ctx.version, nodeId)}
        and c.clicked_at >= u.since and c.clicked_at <= u.until)`.execute(ctx.tx);
  return new Set(rows.map((r) => Number(r.run_id)));
}
