// What a page of domain events does to runs already under way: a goal event ends the run
// (`goal`), a cancelled key ends its keyed run (`cancelled`), and an event a run waits for
// makes it due now (the engine then reads the event log to decide yes or no).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { DomainEvent } from '../domain-events/event-map.ts';
import type { JourneyDefinition } from './definition.ts';

interface ActiveRun {
  id: number;
  journey_id: number;
  version: number;
  customer_id: number;
  run_key: string;
  entered_at: Date;
  wait_event: string | null;
  definition: JourneyDefinition;
}

const DAY_MS = 86_400_000;

const counts = (e: DomainEvent) => e.type !== 'order.recorded' || e.payload.status === 'completed';

function reachedGoal(run: ActiveRun, events: readonly DomainEvent[]): boolean {
  const goal = run.definition.goal;
  if (!goal) return false;
  const end = run.entered_at.getTime() + goal.withinDays * DAY_MS;
  return events.some((e) => e.type === goal.event && counts(e) && e.occurredAt.getTime() <= end);
}

// A keyed order journey's run ends when its order is cancelled or refunded.
function keyCancelled(run: ActiveRun, events: readonly DomainEvent[]): boolean {
  const { trigger, key } = run.definition;
  if (key === undefined || !('event' in trigger) || trigger.event !== 'order.recorded') return false;
  return events.some(
    (e) =>
      e.type === 'order.recorded' &&
      e.payload.status !== 'completed' &&
      String((e.payload as Record<string, unknown>)[key]) === run.run_key,
  );
}

/** Applies the page's events to the active runs of its customers (three statements at most). */
export async function applyRunEffects(
  tx: Transaction<DB>,
  workspaceId: string,
  events: readonly DomainEvent[],
  now: Date,
): Promise<{ exited: number; woken: number }> {
  const byCustomer = new Map<number, DomainEvent[]>();
  for (const e of events) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e]);
  const { rows } = await sql<ActiveRun>`
    select r.id, r.journey_id, r.version, r.customer_id, r.run_key, r.entered_at, r.wait_event, v.definition
    from journey_run r join journey_version v
      on v.workspace_id = r.workspace_id and v.journey_id = r.journey_id and v.version = r.version
    where r.workspace_id = ${workspaceId} and r.status = 'active'
      and r.customer_id = any(${[...byCustomer.keys()]}::bigint[])
    for update of r`.execute(tx);
  const goal: number[] = [];
  const cancelled: number[] = [];
  const wake: number[] = [];
  for (const run of rows) {
    const mine = byCustomer.get(Number(run.customer_id)) ?? [];
    if (reachedGoal(run, mine)) goal.push(Number(run.id));
    else if (keyCancelled(run, mine)) cancelled.push(Number(run.id));
    else if (run.wait_event && mine.some((e) => e.type === run.wait_event && counts(e)))
      wake.push(Number(run.id));
  }
  for (const [ids, reason] of [
    [goal, 'goal'],
    [cancelled, 'cancelled'],
  ] as const)
    if (ids.length)
      await sql`update journey_run set status = 'exited', exited_at = ${now}, exit_reason = ${reason}, due_at = null
        where workspace_id = ${workspaceId} and id = any(${ids}::bigint[])`.execute(tx);
  if (wake.length)
    await sql`update journey_run set due_at = ${now}
      where workspace_id = ${workspaceId} and id = any(${wake}::bigint[])`.execute(tx);
  return { exited: goal.length + cancelled.length, woken: wake.length };
}
