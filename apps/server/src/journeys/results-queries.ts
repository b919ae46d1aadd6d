// The SQL behind a journey's results: who entered (and in which group), what each send node did,
// clicks per node, and conversions after entry. Every statement is scoped to the workspace and
// the journey; the messaging core's tables are read only through campaigns/send-outcomes.ts.
import { type Kysely, sql } from 'kysely';
import type { GroupConversions } from '../campaigns/conversions.ts';
import type { DB } from '../db/schema.ts';
import type { JourneyDefinition } from './definition.ts';
import { isHeldOut } from './holdout.ts';

export type JourneyGroup = 'treated' | 'holdout';

export interface Entrants {
  runs: Record<JourneyGroup, number>;
  /** Customer id → group, from the version of the customer's latest run. */
  groupOf: Map<number, JourneyGroup>;
}

/**
 * Every run's customer and group. A customer's group is the same on every run of one version (the
 * bucket is stable); should `holdoutPercent` change between versions, their latest run decides.
 */
export async function journeyEntrants(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
): Promise<Entrants> {
  const versions = await db
    .selectFrom('journey_version')
    .select(['version', 'definition'])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .execute();
  const defs = new Map(versions.map((v) => [v.version, v.definition as JourneyDefinition]));
  const { rows } = await sql<{ customer_id: number; version: number }>`
    select customer_id, version from journey_run
    where workspace_id = ${workspaceId} and journey_id = ${journeyId}
    order by entered_at, id`.execute(db);
  const out: Entrants = { runs: { treated: 0, holdout: 0 }, groupOf: new Map() };
  for (const r of rows) {
    const customerId = Number(r.customer_id);
    const group = isHeldOut(workspaceId, journeyId, defs.get(r.version) ?? {}, customerId)
      ? 'holdout'
      : 'treated';
    out.runs[group]++;
    out.groupOf.set(customerId, group);
  }
  return out;
}

export interface NodeSteps {
  nodeId: string;
  /** Steps recorded at the node (each run that reached it, once per arrival). */
  steps: number;
  /** Steps handed to the messaging core. */
  handed: number;
  /** Steps the journey itself skipped, by reason (holdout, render_failed, no_line_channel). */
  skipped: Record<string, number>;
  sendIds: number[];
}

/** The send nodes' step counts and the messaging sends they made, per node id (all versions). */
export async function sendNodeSteps(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
): Promise<Map<string, NodeSteps>> {
  const { rows } = await sql<{
    node_id: string;
    outcome: string;
    reason: string | null;
    n: number;
    send_ids: string[] | null;
  }>`
    select s.node_id, s.outcome, s.detail->>'reason' as reason, count(*)::int as n,
      array_agg(distinct s.send_id) filter (where s.send_id is not null) as send_ids
    from journey_step s
    join journey_run r on r.workspace_id = s.workspace_id and r.id = s.run_id
    where s.workspace_id = ${workspaceId} and r.journey_id = ${journeyId} and s.node_type = 'send'
    group by 1, 2, 3`.execute(db);
  const out = new Map<string, NodeSteps>();
  for (const r of rows) {
    const node = out.get(r.node_id) ?? { nodeId: r.node_id, steps: 0, handed: 0, skipped: {}, sendIds: [] };
    node.steps += r.n;
    if (r.outcome === 'skipped')
      node.skipped[r.reason ?? 'unknown'] = (node.skipped[r.reason ?? 'unknown'] ?? 0) + r.n;
    else node.handed += r.n;
    node.sendIds.push(...(r.send_ids ?? []).map(Number));
    out.set(r.node_id, node);
  }
  return out;
}

/**
 * Distinct customers who clicked a tracked link of each send node (origin
 * `journey:<id>/v<version>/node:<node>`, all versions), and of the whole journey under `''`.
 */
export async function nodeClicks(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
): Promise<Map<string, number>> {
  const prefix = `journey:${journeyId}/v`;
  const { rows } = await sql<{ node_id: string | null; n: number }>`
    select substring(l.origin from '/node:(.*)$') as node_id, count(distinct k.customer_id)::int as n
    from tracked_link l join link_click k on k.workspace_id = l.workspace_id and k.link_id = l.id
    where l.workspace_id = ${workspaceId} and starts_with(l.origin, ${prefix})
    group by grouping sets ((1), ())`.execute(db);
  return new Map(rows.map((r) => [r.node_id ?? '', r.n]));
}

/**
 * Per group: customers, those with a completed order within `days` after one of their entries,
 * and the revenue (total − refunded) of those orders, each order counted once however many runs'
 * windows hold it. SQL returns only the customers who bought (few); the groups are summed here,
 * which keeps the statement free of a parameter listing every customer.
 */
export async function journeyConversions(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
  groupOf: ReadonlyMap<number, JourneyGroup>,
  days: number,
): Promise<Map<JourneyGroup, GroupConversions>> {
  const { rows } = await sql<{ customer_id: number; revenue: number }>`
    select h.customer_id, sum(h.revenue)::float8 as revenue from (
      select distinct o.id, o.customer_id, (o.total - o.refunded_amount)::float8 as revenue
      from journey_run r
      join customer_order o on o.workspace_id = r.workspace_id and o.customer_id = r.customer_id
        and o.status = 'completed' and o.ordered_at > r.entered_at
        and o.ordered_at <= r.entered_at + make_interval(days => ${days}::int)
      where r.workspace_id = ${workspaceId} and r.journey_id = ${journeyId}) h
    group by h.customer_id`.execute(db);
  const out = new Map<JourneyGroup, GroupConversions>();
  const of = (g: JourneyGroup) => {
    if (!out.has(g)) out.set(g, { audience: 0, converted: 0, revenue: { n: 0, sum: 0, sumSquares: 0 } });
    return out.get(g)!;
  };
  for (const g of groupOf.values()) {
    const c = of(g);
    c.audience++;
    c.revenue.n++;
  }
  for (const r of rows) {
    const group = groupOf.get(Number(r.customer_id));
    if (!group) continue; // cannot happen: every run's customer has a group
    const c = of(group);
    const revenue = Number(r.revenue);
    c.converted++;
    c.revenue.sum += revenue;
    c.revenue.sumSquares += revenue * revenue;
  }
  return out;
}
