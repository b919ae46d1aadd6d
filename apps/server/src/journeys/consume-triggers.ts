// The trigger consumer: reads the workspace's domain event stream from its stored cursor and, in
// the same transaction that moves the cursor, enters runs, ends runs that reached their goal,
// cancels keyed runs whose key was cancelled, and wakes runs waiting for an event. A crash
// before the commit leaves the cursor where it was, so each event is handled exactly once.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { DomainEvent } from '../domain-events/event-map.ts';
import { readDomainEvents } from '../domain-events/read.ts';
import { EVENT_TRIGGERS, type EventTrigger } from './definition.ts';
import { enterRuns, liveJourneys } from './enter-runs.ts';
import { applyRunEffects } from './event-effects.ts';

export interface ConsumeResult {
  events: number;
  entered: number;
  exited: number;
  woken: number;
}

/**
 * Starts the workspace's cursor at the end of its stream if it has none (at the first publish):
 * a journey reacts to what happens from then on, not to the history before it existed.
 */
export async function initTriggerCursor(tx: Transaction<DB>, workspaceId: string): Promise<void> {
  await sql`insert into journey_trigger_cursor (workspace_id, cursor)
    select ${workspaceId}::uuid, (select xid::text || ':' || seq from domain_event
      where workspace_id = ${workspaceId} order by xid desc, seq desc limit 1)
    on conflict (workspace_id) do nothing`.execute(tx);
}

/** Whether the event starts a run of a journey with this trigger. */
export function triggerMatches(trigger: EventTrigger, event: DomainEvent): boolean {
  if (trigger.event !== event.type) return false;
  switch (event.type) {
    case 'line.friend_added': {
      const t = trigger as Extract<EventTrigger, { event: 'line.friend_added' }>;
      return t.refollow === undefined || t.refollow === event.payload.refollow;
    }
    case 'line.postback':
      return (trigger as { action: string }).action === event.payload.action;
    case 'segment.entered':
    case 'segment.exited':
      return (trigger as { segmentId: number }).segmentId === Number(event.payload.segmentId);
    case 'order.recorded':
      return event.payload.status === 'completed';
    default:
      return true;
  }
}

/** The run key of an event for a journey keyed by `field` ('' when unkeyed). */
export function runKey(field: string | undefined, event: DomainEvent): string {
  if (field === undefined) return '';
  const value = (event.payload as Record<string, unknown>)[field];
  return value === undefined || value === null ? '' : String(value);
}

async function consumePage(
  tx: Transaction<DB>,
  workspaceId: string,
  now: Date,
  limit: number,
): Promise<ConsumeResult> {
  await initTriggerCursor(tx, workspaceId);
  const { rows } = await sql<{ cursor: string | null }>`
    select cursor from journey_trigger_cursor where workspace_id = ${workspaceId} for update`.execute(tx);
  const page = await readDomainEvents(tx, workspaceId, { after: rows[0]?.cursor ?? undefined, limit });
  const result: ConsumeResult = { events: page.events.length, entered: 0, exited: 0, woken: 0 };
  if (!page.events.length) return result;
  // Runs under way first: an event that starts a run is not also that run's goal.
  Object.assign(result, await applyRunEffects(tx, workspaceId, page.events, now));
  for (const journey of await liveJourneys(tx, workspaceId, EVENT_TRIGGERS)) {
    const trigger = journey.definition.trigger as EventTrigger;
    const entries = page.events
      .filter((e) => triggerMatches(trigger, e))
      .map((e) => ({ customerId: e.customerId, key: runKey(journey.definition.key, e) }));
    result.entered += await enterRuns(tx, workspaceId, journey, entries, now);
  }
  await sql`update journey_trigger_cursor set cursor = ${page.next ?? null}, updated_at = ${now}
    where workspace_id = ${workspaceId}`.execute(tx);
  return result;
}

/**
 * Handles every event of the workspace's stream after its cursor, a page per transaction.
 *
 * @example
 * await consumeJourneyTriggers(db, workspaceId, { now: clock.now() });
 */
export async function consumeJourneyTriggers(
  db: Kysely<DB>,
  workspaceId: string,
  options: { now: Date; pageSize?: number },
): Promise<ConsumeResult> {
  const limit = options.pageSize ?? 1000;
  const total: ConsumeResult = { events: 0, entered: 0, exited: 0, woken: 0 };
  for (;;) {
    const page = await transact(db, (tx) => consumePage(tx, workspaceId, options.now, limit));
    total.events += page.events;
    total.entered += page.entered;
    total.exited += page.exited;
    total.woken += page.woken;
    if (page.events < limit) return total;
  }
}

/** Workspaces with a trigger cursor (those that ever published a journey): the job's work list. */
export async function workspacesWithJourneys(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{
    workspace_id: string;
  }>`select workspace_id from journey_trigger_cursor`.execute(db);
  return rows.map((r) => r.workspace_id);
}
