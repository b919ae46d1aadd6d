/**
 * Aggregate conditions (count, sum, first, last, days since, of orders, visits or events) in SQL.
 *
 * - Over the fact tables, each distinct (source, window, event type) becomes one grouped derived
 *   table computing only the measures read; counts compared with zero become EXISTS / NOT EXISTS
 *   (semi- and anti-joins); "days since" becomes a bound on the instant itself.
 * - With `fromStats`, whole-life order and visit measures read `customer_stats` (`s`), and so do
 *   windowed ones that only the latest instant decides: "any order in the last N days" is
 *   `last_order_at ≥ start`, and the last order within the window is `last_order_at` when it is
 *   inside it. Other windowed measures, and events, still read the fact tables.
 */
import { type RawBuilder, sql } from 'kysely';
import { type Context, compare, definite, idArray, type Measure, OPS } from './compile-context.ts';
import type { Aggregate, Comparison, RuleNode, Value } from './rule-tree.ts';

const SOURCES = {
  orders: {
    table: 'customer_order',
    at: 'ordered_at',
    sum: sql`sum(total - refunded_amount)`,
  },
  // A visit's spend (integer yen, migrations/0021).
  visits: { table: 'visit', at: 'visited_at', sum: sql`sum(spend)` },
  events: { table: 'event', at: 'occurred_at', sum: sql`0` },
} as const;

/** customer_stats columns of each measure (orders count only with status 'completed' there too). */
const STATS_COLUMNS = {
  orders: { n: 'order_count', s: 'revenue', f: 'first_order_at', l: 'last_order_at' },
  visits: { n: 'visit_count', s: undefined, f: 'first_visit_at', l: 'last_visit_at' },
} as const;

function since(a: Aggregate, ctx: Context) {
  return a.window ? ctx.clock.dayStart(a.window.days - 1) : undefined;
}

function sourceFilter(a: Aggregate, ctx: Context, prefix: string) {
  const s = SOURCES[a.of];
  const start = since(a, ctx);
  const col = (name: string) => sql.ref(prefix ? `${prefix}.${name}` : name);
  return sql`${col('workspace_id')} = ${ctx.options.workspaceId}${
    a.of === 'orders' ? sql` and ${col('status')} = 'completed'` : sql``
  }${start ? sql` and ${col(s.at)} >= ${start}::timestamptz` : sql``}${
    a.type ? sql` and ${col('type')} = ${a.type}` : sql``
  }`;
}

/** The grouped derived table of one (source, window, type), restricted to the ids if any. */
export function aggregateTable(a: Aggregate, needs: Set<Measure>, ctx: Context): RawBuilder<unknown> {
  const s = SOURCES[a.of];
  const ids = ctx.options.customerIds;
  const at = sql.ref(s.at);
  // Only the measures the definition reads: every extra aggregate costs on millions of rows.
  const columns: RawBuilder<unknown>[] = [];
  if (needs.has('n')) columns.push(sql`count(*) as n`);
  if (needs.has('s')) columns.push(sql`${s.sum} as s`);
  if (needs.has('f')) columns.push(sql`min(${at}) as f`);
  if (needs.has('l')) columns.push(sql`max(${at}) as l`);
  return sql`select customer_id, ${sql.join(columns)}
    from ${sql.table(s.table)} where ${sourceFilter(a, ctx, '')}
    ${ids ? sql`and customer_id = any(${idArray(ids)})` : sql``}
    group by customer_id`;
}

/** A count compared so that it only asks "any rows?" becomes EXISTS / NOT EXISTS. */
function countPresence(op: string, value: unknown): boolean | undefined {
  if (typeof value !== 'number') return undefined;
  if ((op === 'eq' && value === 0) || (op === 'lt' && value === 1) || (op === 'lte' && value === 0))
    return false;
  if ((op === 'gte' && value === 1) || (op === 'gt' && value === 0) || (op === 'neq' && value === 0))
    return true;
  return undefined;
}

/** Whether a customer without rows (a count or sum of 0) meets `op value`. */
export function holdsForZero(op: string, value: number): boolean {
  switch (op) {
    case 'eq':
      return value === 0;
    case 'neq':
      return value !== 0;
    case 'gt':
      return 0 > value;
    case 'gte':
      return 0 >= value;
    case 'lt':
      return 0 < value;
    default:
      return 0 <= value;
  }
}

/**
 * A count or sum compared with a number. A customer without rows has no derived row (or no stats
 * row): their count and sum are 0, which only matters when 0 itself satisfies the comparison.
 */
function total(ctx: Context, column: RawBuilder<unknown>, op: string, value: unknown) {
  const cmp = sql.raw(OPS[op as Comparison]);
  // A whole number compares as bigint: the counts and revenues are integers, and an integer
  // comparison costs less per row than casting each of them to numeric.
  const bound = Number.isSafeInteger(value) ? sql`${value}::bigint` : sql`${value}::numeric`;
  return holdsForZero(op, Number(value))
    ? definite(ctx, sql`coalesce(${column}, 0) ${cmp} ${bound}`)
    : definite(ctx, sql`${column} ${cmp} ${bound}`);
}

/**
 * "Days since" compared with N, as bounds on the instant itself (sargable, no per-row date
 * arithmetic): JST days since t < N  ⟺  t ≥ start of the JST day N−1 days ago.
 */
function daysSince(ctx: Context, column: RawBuilder<unknown>, op: string, value: Value | undefined) {
  if (op === 'exists' || op === 'not_exists') return compare(ctx, column, op, value, 'timestamptz');
  const n = Number(value);
  const start = (daysAgo: number) => sql`${ctx.clock.dayStart(daysAgo)}::timestamptz`;
  switch (op) {
    case 'lt':
      return definite(ctx, sql`${column} >= ${start(n - 1)}`);
    case 'lte':
      return definite(ctx, sql`${column} >= ${start(n)}`);
    case 'gt':
      return definite(ctx, sql`${column} < ${start(n)}`);
    case 'gte':
      return definite(ctx, sql`${column} < ${start(n - 1)}`);
    case 'eq':
      return definite(ctx, sql`(${column} >= ${start(n)} and ${column} < ${start(n - 1)})`);
    default:
      return definite(ctx, sql`(${column} < ${start(n)} or ${column} >= ${start(n - 1)})`);
  }
}

/** One measure compared: shared by the fact-table and the customer_stats forms. */
function measured(
  a: Aggregate,
  column: (m: Measure) => RawBuilder<unknown>,
  op: string,
  value: unknown,
  ctx: Context,
) {
  switch (a.measure) {
    case 'count':
      return total(ctx, column('n'), op, value);
    case 'sum':
      return total(ctx, column('s'), op, value);
    case 'first':
      return compare(ctx, column('f'), op, value as Value, 'timestamptz');
    case 'last':
      return compare(ctx, column('l'), op, value as Value, 'timestamptz');
    case 'days_since_first':
      return daysSince(ctx, column('f'), op, value as Value);
    case 'days_since_last':
      return daysSince(ctx, column('l'), op, value as Value);
  }
}

/** The condition read from customer_stats, or undefined when the stats cannot decide it. */
function fromStats(a: Aggregate, op: string, value: unknown, ctx: Context): RawBuilder<unknown> | undefined {
  // customer_stats keeps no visit spend: a sum of visits reads the visit table.
  if (a.of === 'events' || (a.of === 'visits' && a.measure === 'sum')) return undefined;
  const columns = STATS_COLUMNS[a.of];
  const ref = (m: Measure) => {
    const column = columns[m];
    return column ? sql.ref(`s.${column}`) : sql`0`;
  };
  const start = since(a, ctx);
  if (!start) {
    ctx.stats = true;
    return measured(a, ref, op, value, ctx);
  }
  const from = sql`${start}::timestamptz`;
  if (a.measure === 'count') {
    const present = countPresence(op, value);
    if (present === undefined) return undefined;
    ctx.stats = true;
    return present
      ? definite(ctx, sql`(${ref('l')} >= ${from})`)
      : sql`(${ref('l')} is null or ${ref('l')} < ${from})`;
  }
  if (a.measure !== 'last' && a.measure !== 'days_since_last') return undefined;
  ctx.stats = true;
  const lastInWindow = sql`(case when ${ref('l')} >= ${from} then ${ref('l')} end)`;
  return measured(a, () => lastInWindow, op, value, ctx);
}

const groupKey = (a: Aggregate) => `${a.of}|${a.window?.days ?? ''}|${a.type ?? ''}`;

/** How many conditions of a tree read each grouped (source, window, type) (EXISTS ones excluded). */
export function groupedUses(n: RuleNode, uses = new Map<string, number>()): Map<string, number> {
  if ('and' in n) for (const c of n.and) groupedUses(c, uses);
  else if ('or' in n) for (const c of n.or) groupedUses(c, uses);
  else if ('not' in n) groupedUses(n.not, uses);
  else if (
    'aggregate' in n &&
    !(n.aggregate.measure === 'count' && countPresence(n.op, n.value) !== undefined)
  )
    uses.set(groupKey(n.aggregate), (uses.get(groupKey(n.aggregate)) ?? 0) + 1);
  return uses;
}

/** True when a customer without rows cannot satisfy the comparison (NULL or false). */
function falseWithoutRows(a: Aggregate, op: string, value: unknown): boolean {
  if (a.measure === 'count' || a.measure === 'sum') return !holdsForZero(op, Number(value));
  return op !== 'not_exists';
}

/**
 * A grouped condition that is alone on its (source, window, type) in a WHERE clause, and that no
 * customer without rows meets: `c.id in (… group by customer_id having …)`. The planner then
 * keeps only the qualifying customers (a semi-join, or a hashed subplan under `or`) instead of
 * joining every customer's aggregate: new_30d's two "first within 30 days" ran 1.7× slower than
 * the hand-written count as joins. IN over non-null ids is two-valued, so `not` needs no coalesce.
 */
function groupedIn(a: Aggregate, op: string, value: unknown, ctx: Context): RawBuilder<unknown> {
  const s = SOURCES[a.of];
  const at = sql.ref(s.at);
  const exprs: Record<Measure, RawBuilder<unknown>> = {
    n: sql`count(*)`,
    s: s.sum,
    f: sql`min(${at})`,
    l: sql`max(${at})`,
  };
  const having = measured(a, (m) => exprs[m], op, value, { ...ctx, negated: false });
  const ids = ctx.options.customerIds;
  return sql`c.id in (select customer_id from ${sql.table(s.table)} where ${sourceFilter(a, ctx, '')}
    ${ids ? sql`and customer_id = any(${idArray(ids)})` : sql``}
    group by customer_id having ${having})`;
}

export function aggregate(a: Aggregate, op: string, value: unknown, ctx: Context): RawBuilder<unknown> {
  if (ctx.options.fromStats) {
    const stats = fromStats(a, op, value, ctx);
    if (stats) return stats;
  }
  if (a.measure === 'count') {
    const present = countPresence(op, value);
    if (present !== undefined) {
      const s = SOURCES[a.of];
      const exists = sql`exists (select 1 from ${sql.table(s.table)} x where ${sourceFilter(a, ctx, 'x')} and x.customer_id = c.id)`;
      return present ? exists : sql`not ${exists}`;
    }
  }
  const key = groupKey(a);
  if (ctx.groupedUses?.get(key) === 1 && falseWithoutRows(a, op, value)) return groupedIn(a, op, value, ctx);
  let entry = ctx.aggregates.get(key);
  if (!entry) {
    entry = { alias: `a${ctx.aggregates.size}`, aggregate: a, needs: new Set() };
    ctx.aggregates.set(key, entry);
  }
  const { alias, needs } = entry;
  return measured(
    a,
    (name) => {
      needs.add(name);
      return sql.ref(`${alias}.${name}`);
    },
    op,
    value,
    ctx,
  );
}
