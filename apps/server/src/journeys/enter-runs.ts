// Entering customers into a journey's live version, for the event and the date triggers alike.
// "At most one active run per journey, customer and key" and re-entry "never" are unique indexes
// (migration 0025): an insert that would break them does nothing, whatever any other writer did.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JourneyDefinition } from './definition.ts';

export interface LiveJourney {
  id: number;
  version: number;
  definition: JourneyDefinition;
}

export interface Entry {
  customerId: number;
  /** '' for an unkeyed journey. */
  key: string;
}

/** The workspace's live journeys whose trigger kind is one of `kinds`, with their live definition. */
export async function liveJourneys(
  tx: Transaction<DB>,
  workspaceId: string,
  kinds: readonly string[],
): Promise<LiveJourney[]> {
  const { rows } = await sql<{ id: number; version: number; definition: JourneyDefinition }>`
    select j.id, j.live_version as version, v.definition
    from journey j join journey_version v
      on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.live_version
    where j.workspace_id = ${workspaceId} and j.status = 'live' and j.trigger_kind = any(${[...kinds]}::text[])
    order by j.id`.execute(tx);
  return rows.map((r) => ({ id: Number(r.id), version: r.version, definition: r.definition }));
}

/**
 * Enters each (customer, key) not already in an active run (and, for re-entry 'never' or with
 * `oncePerKey`, never in any run of that key; for { afterDays }, not in one that exited within
 * that many days), due at once at the first node. Merged-away customers are left out. Returns how
 * many runs were created.
 */
export async function enterRuns(
  tx: Transaction<DB>,
  workspaceId: string,
  journey: LiveJourney,
  entries: readonly Entry[],
  now: Date,
  options: { oncePerKey?: boolean } = {},
): Promise<number> {
  const unique = [...new Map(entries.map((e) => [`${e.customerId}\u0000${e.key}`, e])).values()];
  if (!unique.length) return 0;
  const { reentry } = journey.definition;
  const afterDays = typeof reentry === 'object' ? reentry.afterDays : 0;
  const { rows } = await sql<{ n: number }>`
    with inserted as (
      insert into journey_run (workspace_id, journey_id, version, customer_id, run_key, once, node_id, due_at, entered_at)
      select ${workspaceId}::uuid, ${journey.id}::bigint, ${journey.version}::int, u.customer_id, u.run_key,
        ${reentry === 'never' || options.oncePerKey === true}, ${journey.definition.nodes[0]!.id}, ${now}::timestamptz, ${now}::timestamptz
      from unnest(${unique.map((e) => e.customerId)}::bigint[], ${unique.map((e) => e.key)}::text[]) u(customer_id, run_key)
      join customer c on c.workspace_id = ${workspaceId} and c.id = u.customer_id and c.merged_into_id is null
      where ${afterDays}::int = 0 or not exists (
        select 1 from journey_run p
        where p.workspace_id = ${workspaceId} and p.journey_id = ${journey.id} and p.customer_id = u.customer_id
          and p.run_key = u.run_key and p.exited_at > ${now}::timestamptz - make_interval(days => ${afterDays}::int))
      order by u.customer_id
      on conflict do nothing
      returning 1)
    select count(*)::int as n from inserted`.execute(tx);
  return rows[0]?.n ?? 0;
}
