// Appending domain events from rows a statement computes, for writers that stay in SQL: the
// segment membership log (thousands of changes passed as array literals that Node never parses),
// a coupon redemption that is one statement, the nightly points-expiring pass.
import { type RawBuilder, sql } from 'kysely';
import type { DomainEventMap, DomainEventType } from './event-map.ts';
import './domain-event-table.ts';

/** Each payload field as a SQL expression of the field's type: a missing or unknown field fails the type check. */
export type PayloadExpressions<K extends DomainEventType> = {
  [P in keyof DomainEventMap[K]]: RawBuilder<DomainEventMap[K][P]>;
};

export interface SelectedEvents<K extends DomainEventType> {
  type: K;
  /** The FROM clause (with any WHERE) whose rows become events, one each. */
  from: RawBuilder<unknown>;
  customerId: RawBuilder<number>;
  payload: PayloadExpressions<K>;
  occurredAt: RawBuilder<Date>;
  /** As for appendDomainEvents: a key the workspace already holds skips the row. */
  dedupeKey?: RawBuilder<string>;
}

/**
 * The INSERT that appends one event per row of `from`, to run as its own statement or as a
 * data-modifying CTE of the caller's statement (it is then in the same transaction by
 * construction). Column references in the expressions are the caller's: nothing is quoted.
 *
 * @example
 * await insertSelectedEvents(workspaceId, {
 *   type: 'segment.entered',
 *   from: sql`entries e`,
 *   customerId: sql<number>`e.customer_id`,
 *   payload: { segmentId: sql<number>`e.segment_id` },
 *   occurredAt: sql<Date>`${at}::timestamptz`,
 * }).execute(tx);
 */
export function insertSelectedEvents<K extends DomainEventType>(
  workspaceId: string,
  events: SelectedEvents<K>,
): RawBuilder<unknown> {
  const fields = Object.entries(events.payload as Record<string, RawBuilder<unknown>>).map(
    ([name, value]) => sql`${sql.lit(name)}::text, ${value}`,
  );
  const payload = sql`jsonb_build_object(${sql.join(fields)})`;
  return sql`
    insert into domain_event (workspace_id, customer_id, type, payload, occurred_at, dedupe_key)
    select ${workspaceId}::uuid, ${events.customerId}, ${events.type}::text, ${payload}, ${events.occurredAt},
      ${events.dedupeKey ?? sql`null::text`}
    from ${events.from}
    on conflict (workspace_id, dedupe_key) where dedupe_key is not null do nothing`;
}
