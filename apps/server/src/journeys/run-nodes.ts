// Executing one node for a group of runs at it (same journey, version and node), set-based: one
// statement per node and group where the node allows it, one send for all of a send node's runs.
import { sql } from 'kysely';
import { compileDefinition } from '../segments/compile-definition.ts';
import { clickBranch } from './click-branch.ts';
import type { JourneyNode } from './definition.ts';
import type { NodeContext } from './node-context.ts';
import { runActions } from './run-actions.ts';
import type { RunState } from './run-state.ts';
import { sendNode } from './send-step.ts';
import { bucketOf } from './stable-bucket.ts';
import { parseDuration, waitEnd } from './wait-time.ts';

/** The run has executed its current node: on to `next`, due at `at` (its wait's end, or now). */
function moveOn(run: RunState, next: string, at: Date): void {
  run.nodeId = next;
  run.stepNo++;
  run.at = at;
  run.dueAt = at;
}

/**
 * Executes `node` for `runs` and moves each run on (or out). Returns the steps executed: a run
 * that only starts (or goes on) waiting for an event executes none.
 */
export async function executeNode(ctx: NodeContext, node: JourneyNode, runs: RunState[]): Promise<number> {
  const before = runs.reduce((sum, r) => sum + r.stepNo, 0);
  await execute(ctx, node, runs);
  return runs.reduce((sum, r) => sum + r.stepNo, 0) - before;
}

async function execute(ctx: NodeContext, node: JourneyNode, runs: RunState[]): Promise<void> {
  switch (node.type) {
    case 'send':
      ctx.steps.trace(runs, node, 'sent');
      await sendNode(ctx, node, runs);
      for (const r of runs) moveOn(r, node.next, r.at);
      return;
    case 'wait':
      ctx.steps.trace(runs, node, 'done');
      for (const r of runs) moveOn(r, node.next, waitEnd(node, r.at));
      return;
    case 'waitForEvent':
      return waitForEventNode(ctx, node, runs);
    case 'branch':
      return branchNode(ctx, node, runs);
    case 'action': {
      ctx.steps.trace(runs, node, 'done');
      await runActions(ctx, node.action, runs);
      for (const r of runs) moveOn(r, node.next, r.at);
      return;
    }
    case 'exit':
      ctx.steps.trace(runs, node, 'done');
      for (const r of runs) {
        r.stepNo++;
        r.dueAt = null;
        r.exitReason = 'completed';
      }
  }
}

/**
 * On arrival the run starts waiting (no step yet): due at its timeout, brought forward by the
 * trigger consumer when an event of the type arrives. When due, the event log decides: a matching
 * event since the wait began → yes; the timeout passed → no; else (woken by an event that did not
 * match) it waits on.
 */
async function waitForEventNode(
  ctx: NodeContext,
  node: Extract<JourneyNode, { type: 'waitForEvent' }>,
  runs: RunState[],
): Promise<void> {
  const arriving = runs.filter((r) => r.waitSince === null);
  for (const r of arriving) {
    r.waitEvent = node.event;
    r.waitSince = r.at;
    r.waitUntil = new Date(r.at.getTime() + (parseDuration(node.timeout) ?? 0));
    r.dueAt = r.waitUntil;
  }
  const waiting = runs.filter((r) => !arriving.includes(r));
  if (!waiting.length) return;
  const { rows } = await sql<{ run_id: number; at: Date }>`
    select u.run_id, e.occurred_at as at
    from unnest(${waiting.map((r) => r.id)}::bigint[], ${waiting.map((r) => r.customerId)}::bigint[],
      ${waiting.map((r) => r.waitSince!.toISOString())}::timestamptz[], ${waiting.map((r) => r.waitUntil!.toISOString())}::timestamptz[])
      u(run_id, customer_id, since, until)
    cross join lateral (
      select occurred_at from domain_event e
      where e.workspace_id = ${ctx.workspaceId} and e.customer_id = u.customer_id and e.type = ${node.event}
        and e.occurred_at >= u.since and e.occurred_at <= u.until
        and (e.type <> 'order.recorded' or e.payload->>'status' = 'completed')
      order by e.occurred_at limit 1) e`.execute(ctx.tx);
  const seen = new Map(rows.map((r) => [Number(r.run_id), r.at]));
  const yes = waiting.filter((r) => seen.has(r.id));
  const no = waiting.filter((r) => !seen.has(r.id) && r.waitUntil! <= ctx.now);
  for (const r of waiting.filter((r) => !yes.includes(r) && !no.includes(r))) r.dueAt = r.waitUntil;
  ctx.steps.trace(yes, node, 'yes');
  ctx.steps.trace(no, node, 'no');
  for (const [list, next] of [
    [yes, node.yes],
    [no, node.no],
  ] as const)
    for (const r of list) {
      r.waitEvent = r.waitSince = r.waitUntil = null;
      moveOn(r, next, list === yes ? ctx.now : r.at);
    }
}

/** A rule-tree condition (compiled to one query for the group), a stable random split, or a click. */
async function branchNode(
  ctx: NodeContext,
  node: Extract<JourneyNode, { type: 'branch' }>,
  runs: RunState[],
): Promise<void> {
  if ('clicked' in node) return clickBranch(ctx, node, runs, moveOn);
  let matches: (r: RunState) => boolean;
  if ('random' in node) {
    const percent = node.random.percent;
    matches = (r) => bucketOf(`journey:${ctx.journeyId}`, r.customerId) < percent;
  } else {
    const query = compileDefinition(node.condition, {
      workspaceId: ctx.workspaceId,
      now: ctx.now,
      customerIds: runs.map((r) => r.customerId),
    });
    const hit = new Set((await query.execute(ctx.tx)).rows.map((r) => Number(r.id)));
    matches = (r) => hit.has(r.customerId);
  }
  const yes = runs.filter(matches);
  const no = runs.filter((r) => !matches(r));
  ctx.steps.trace(yes, node, 'yes');
  ctx.steps.trace(no, node, 'no');
  for (const r of yes) moveOn(r, node.yes, r.at);
  for (const r of no) moveOn(r, node.no, r.at);
}
