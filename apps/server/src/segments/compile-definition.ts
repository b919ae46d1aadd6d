/**
 * Compiles a rule tree into ONE SQL query over `customer c` that returns the matching customer
 * ids, or several trees into one query returning (segment, customer) pairs. Nothing is evaluated
 * per customer in JavaScript.
 *
 * - Aggregates of orders/visits/events become grouped derived tables, EXISTS / NOT EXISTS or, in
 *   the incremental recompute, reads of `customer_stats` (compile-aggregate.ts).
 * - With `customerIds` (incremental recompute), the customer scan and every derived table are
 *   restricted to those ids (`= any($ids)`), so the cost follows the change, not the base.
 * - Time is JST: windows start at a JST midnight, "days since" counts JST calendar days, and
 *   "this month" is the JST month of `now`.
 * - Orders count only with status 'completed'; their revenue is total − refunded_amount.
 */
import { type RawBuilder, sql } from 'kysely';
import { aggregate, aggregateTable, groupedUses } from './compile-aggregate.ts';
import {
  type CompileOptions,
  type Context,
  compare,
  definite,
  idArray,
  newContext,
  OPS,
} from './compile-context.ts';
import { interests, purchased, visitMenu } from './compile-items.ts';
import type { Condition, RuleNode, Value } from './rule-tree.ts';
import { PROFILE_FIELDS } from './rule-tree.ts';

export { type CompileOptions, jstClock } from './compile-context.ts';

/** `select c.id from customer c … where …`: the ids of the matching live customers. */
export function compileDefinition(definition: RuleNode, options: CompileOptions): RawBuilder<{ id: number }> {
  const ctx = { ...newContext(options), groupedUses: groupedUses(definition) };
  const where = node(definition, ctx);
  const { from, live } = fromCustomers(ctx);
  return sql<{ id: number }>`select c.id from ${from} where ${live} and (${where})`;
}

/**
 * `select segment_id, customer_id …`: every (segment, customer) pair that matches, for several
 * definitions in one pass over the customers. The definitions share their derived tables and
 * joins; each is evaluated once per customer in a lateral VALUES list.
 */
export function compileMatches(
  segments: readonly { id: number; definition: RuleNode }[],
  options: CompileOptions,
): RawBuilder<{ segment_id: number; customer_id: number }> {
  const ctx = { ...newContext(options), selectList: true };
  // `is true`: a NULL outcome does not match, as in a WHERE clause.
  const rows = segments.map((s) => sql`(${s.id}::bigint, (${node(s.definition, ctx)}) is true)`);
  const { from, live } = fromCustomers(ctx);
  return sql<{ segment_id: number; customer_id: number }>`select v.segment_id, c.id as customer_id
    from ${from} cross join lateral (values ${sql.join(rows)}) v(segment_id, hit)
    where ${live} and v.hit`;
}

/** `customer c` with the joins the compiled conditions read, and the live-customer filter. */
function fromCustomers(ctx: Context): { from: RawBuilder<unknown>; live: RawBuilder<unknown> } {
  const joins: RawBuilder<unknown>[] = [];
  for (const { alias, aggregate: a, needs } of ctx.aggregates.values()) {
    joins.push(
      sql`left join (${aggregateTable(a, needs, ctx)}) ${sql.id(alias)} on ${sql.ref(`${alias}.customer_id`)} = c.id`,
    );
  }
  const ids = ctx.options.customerIds;
  const ws = ctx.options.workspaceId;
  if (ids && ctx.options.fromStats && !ctx.profile) return fromStatsRows(ctx, ids, joins);
  // With ids, the joined tables are restricted to them too, so that a hash join never reads a
  // whole table for a few thousand customers.
  const only = (col: string) => (ids ? sql` and ${sql.ref(col)} = any(${idArray(ids)})` : sql``);
  if (ctx.stats)
    joins.push(
      sql`left join customer_stats s on s.workspace_id = c.workspace_id and s.customer_id = c.id${only('s.customer_id')}`,
    );
  if (ctx.predictions)
    joins.push(
      sql`left join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id${only('p.customer_id')}`,
    );
  return {
    from: sql`customer c ${sql.join(joins, sql` `)}`,
    live: sql`c.workspace_id = ${ws} and c.merged_into_id is null
      ${ids ? sql`and c.id = any(${idArray(ids)})` : sql``}`,
  };
}

/**
 * The incremental recompute of definitions that read nothing of the customer row itself (orders,
 * visits, events, identities, consent, RFM, predictions): the touched ids are driven through
 * their customer_stats rows, one probe per customer instead of two. Only live customers keep a
 * stats row (a merge deletes the merged-away records' rows in its own transaction), so a stats row
 * means a live customer; an id without one (a customer with no order or visit yet) is looked up
 * in `customer`. `c` then only carries the key (workspace_id, id) the conditions join on.
 */
function fromStatsRows(ctx: Context, ids: readonly number[], joins: RawBuilder<unknown>[]) {
  const ws = ctx.options.workspaceId;
  if (ctx.predictions)
    joins.push(sql`left join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id`);
  return {
    from: sql`unnest(${idArray(ids)}) u(id)
      cross join lateral (select ${ws}::uuid as workspace_id, u.id) c
      left join customer_stats s on s.workspace_id = ${ws} and s.customer_id = u.id
      ${sql.join(joins, sql` `)}`,
    // A scalar subquery, so that it stays a probe per id: an EXISTS would become a hashed subplan
    // over every customer (planned as such, though it rarely runs).
    live: sql`(s.customer_id is not null or coalesce((select x.merged_into_id is null from customer x
      where x.workspace_id = ${ws} and x.id = u.id), false))`,
  };
}

function node(n: RuleNode, ctx: Context): RawBuilder<unknown> {
  if ('and' in n)
    return sql`(${sql.join(
      cheapFirst(n.and, ctx).map((c) => node(c, ctx)),
      sql` and `,
    )})`;
  if ('or' in n)
    return sql`(${sql.join(
      cheapFirst(n.or, ctx).map((c) => node(c, ctx)),
      sql` or `,
    )})`;
  if ('not' in n) {
    ctx.negated = !ctx.negated;
    const inner = node(n.not, ctx);
    ctx.negated = !ctx.negated;
    return sql`not ${inner}`;
  }
  return condition(n, ctx);
}

/**
 * In a select list (compileMatches), PostgreSQL evaluates `a and b` left to right and stops at
 * the first false (at the first true for `or`), whereas it orders the separate quals of a WHERE
 * clause by cost itself. So there, the operands that need an index probe per customer (identity,
 * consent, EXISTS over a fact table, a CLV prediction) go last: "LINE friend and never bought"
 * then probes identities only for the touched customers without orders. AND and OR commute, so
 * the result is the same.
 */
function cheapFirst(nodes: RuleNode[], ctx: Context): RuleNode[] {
  if (!ctx.selectList) return nodes;
  return nodes
    .map((n, i) => ({ n, i, cost: probes(n, ctx) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map((x) => x.n);
}

/** The per-customer index probes a node may need (a rough cost, for ordering only). */
function probes(n: RuleNode, ctx: Context): number {
  if ('and' in n) return n.and.reduce((sum, c) => sum + probes(c, ctx), 0);
  if ('or' in n) return n.or.reduce((sum, c) => sum + probes(c, ctx), 0);
  if ('not' in n) return probes(n.not, ctx);
  if ('identity' in n) return n.identity === 'line_friend' ? 2 : 1;
  if ('consent' in n) return 1;
  if ('prediction' in n) return ctx.options.fromStats ? 0 : 1;
  // Order and visit measures come from customer_stats or a derived table joined once anyway;
  // events may be an EXISTS probe.
  if ('aggregate' in n) return n.aggregate.of === 'events' || !ctx.options.fromStats ? 1 : 0;
  // A hashed subplan over the customers' order lines or menu items: built once, probed cheaply.
  if ('purchased' in n || 'visitMenu' in n) return 1;
  return 0;
}

const FIELD_CAST = { text: 'text', date: 'date', timestamp: 'timestamptz', number: 'numeric' } as const;

function condition(n: Condition, ctx: Context): RawBuilder<unknown> {
  const identityExists = (kind: string) =>
    sql`exists (select 1 from customer_identity i where i.workspace_id = c.workspace_id and i.customer_id = c.id and i.kind = ${kind})`;
  if ('profile' in n || 'attribute' in n || 'tag' in n || 'birthday' in n || 'anniversary' in n)
    ctx.profile = true;
  if ('profile' in n)
    return compare(ctx, sql.ref(`c.${n.profile}`), n.op, n.value, FIELD_CAST[PROFILE_FIELDS[n.profile]]);
  if ('attribute' in n) return attribute(ctx, n.attribute, n.op, n.value);
  if ('tag' in n) return sql`(c.tags @> array[${n.tag}]::text[])`;
  if ('identity' in n) {
    if (n.identity !== 'line_friend') return identityExists(n.identity);
    // A LINE friend: a LINE userId is known and the LINE channel is not blocked.
    return sql`(${identityExists('line')} and not exists (select 1 from customer_consent cc
      where cc.workspace_id = c.workspace_id and cc.customer_id = c.id and cc.channel = 'line' and cc.status = 'blocked'))`;
  }
  if ('consent' in n) {
    const { channel, purpose, status } = n.consent;
    return sql`exists (select 1 from customer_consent cc where cc.workspace_id = c.workspace_id and cc.customer_id = c.id
      and cc.channel = ${channel} and cc.purpose = ${purpose} and cc.status = ${status})`;
  }
  if ('aggregate' in n) return aggregate(n.aggregate, n.op, n.value, ctx);
  if ('purchased' in n) return purchased(n.purchased, n.op, n.value, ctx);
  if ('visitMenu' in n) return visitMenu(n.visitMenu, n.op, n.value, ctx);
  if ('interests' in n) return interests(n.interests, ctx);
  if ('birthday' in n) {
    const month = n.birthday === 'this_month' ? ctx.clock.month : n.birthday.month;
    return definite(ctx, sql`extract(month from c.birthday) = ${month}`);
  }
  if ('anniversary' in n) {
    const local = sql`(c.registered_at at time zone 'Asia/Tokyo')`;
    const sameDay =
      n.anniversary === 'today' ? sql` and extract(day from ${local}) = ${ctx.clock.day}` : sql``;
    // Registered in an earlier year: the day of registration itself is no anniversary.
    return sql`(extract(month from ${local}) = ${ctx.clock.month}${sameDay}
      and c.registered_at < ${ctx.clock.dayStart(0)}::timestamptz - interval '300 days')`;
  }
  if ('rfm' in n) {
    ctx.stats = true;
    return definite(ctx, sql`${sql.ref(`s.${n.rfm}_score`)} ${sql.raw(OPS[n.op])} ${n.value}`);
  }
  // In a select list, a scalar subquery probes the prediction only when the operands before it
  // have not already decided the outcome (see cheapFirst). With `fromStats`, the copy in the
  // customer's stats row is read instead (the CLV refit keeps it, copyPredictionsToStats); only a
  // customer without a stats row is probed.
  const probe = sql`(select p.${sql.ref(n.prediction)} from clv_prediction p
        where p.workspace_id = c.workspace_id and p.customer_id = c.id)`;
  if (ctx.selectList && ctx.options.fromStats) ctx.stats = true;
  const prediction = !ctx.selectList
    ? sql.ref(`p.${n.prediction}`)
    : ctx.options.fromStats
      ? sql`(case when s.customer_id is not null then ${sql.ref(`s.${n.prediction}`)} else ${probe} end)`
      : probe;
  if (!ctx.selectList) ctx.predictions = true;
  return definite(ctx, sql`${prediction} ${sql.raw(OPS[n.op])} ${n.value}::float8`);
}

function attribute(ctx: Context, key: string, op: string, value: Value | undefined): RawBuilder<unknown> {
  const json = sql`(c.attributes -> ${key})`;
  if (op === 'exists' || op === 'not_exists') return compare(ctx, json, op, value, 'jsonb');
  if (typeof value === 'number') {
    const num = sql`(case when jsonb_typeof(${json}) = 'number' then (c.attributes ->> ${key})::numeric end)`;
    return compare(ctx, num, op, value, 'numeric');
  }
  if (typeof value === 'boolean') return compare(ctx, json, op, JSON.stringify(value), 'jsonb');
  return compare(ctx, sql`(c.attributes ->> ${key})`, op, value, 'text');
}
