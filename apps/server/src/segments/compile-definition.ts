/**
 * Compiles a rule tree into ONE SQL query over `customer c` that returns the matching customer
 * ids. Nothing is evaluated per customer in JavaScript.
 *
 * - Aggregates of orders/visits/events become one grouped derived table per distinct
 *   (source, window, event type), left-joined on the customer id, so the whole base is evaluated
 *   with one hash aggregate per source rather than one index probe per customer. Counts compared
 *   with zero ("never bought", "no visit for 180 days") become EXISTS / NOT EXISTS instead, which
 *   PostgreSQL plans as semi- and anti-joins.
 * - With `customerIds` (incremental recompute), the customer scan and every derived table are
 *   restricted to those ids (`= any($ids)`), so the cost follows the change, not the base.
 * - Time is JST: windows start at a JST midnight, "days since" counts JST calendar days, and
 *   "this month" is the JST month of `now`.
 * - Orders count only with status 'completed'; their revenue is total − refunded_amount.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Aggregate, Comparison, Condition, RuleNode, Value } from './rule-tree.ts';
import { PROFILE_FIELDS } from './rule-tree.ts';

export interface CompileOptions {
  workspaceId: string;
  /** The evaluation instant (default: now). Tests and benchmarks pin it. */
  now?: Date;
  /** Restrict the evaluation to these customers (incremental recompute). */
  customerIds?: readonly number[];
}

const JST_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** JST calendar facts of an instant. */
export function jstClock(now: Date) {
  const shifted = new Date(now.getTime() + JST_OFFSET_MS);
  const midnight = Math.floor(shifted.getTime() / DAY_MS) * DAY_MS - JST_OFFSET_MS;
  return {
    today: shifted.toISOString().slice(0, 10),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    /** The instant the JST day `daysAgo` days before today began. */
    dayStart: (daysAgo: number) => new Date(midnight - daysAgo * DAY_MS),
  };
}

const OPS: Record<Comparison, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

const SOURCES = {
  orders: {
    table: 'customer_order',
    at: 'ordered_at',
    sum: sql`sum(total - refunded_amount)`,
  },
  visits: { table: 'visit', at: 'visited_at', sum: sql`0` },
  events: { table: 'event', at: 'occurred_at', sum: sql`0` },
} as const;

interface Context {
  options: CompileOptions;
  clock: ReturnType<typeof jstClock>;
  aggregates: Map<string, { alias: string; aggregate: Aggregate; needs: Set<Measure> }>;
  stats: boolean;
  predictions: boolean;
  /** Inside an odd number of `not`s, where a NULL comparison must become false explicitly. */
  negated: boolean;
}

/** `select c.id from customer c … where …`: the ids of the matching live customers. */
export function compileDefinition(definition: RuleNode, options: CompileOptions): RawBuilder<{ id: number }> {
  const ctx: Context = {
    options,
    clock: jstClock(options.now ?? new Date()),
    aggregates: new Map(),
    stats: false,
    predictions: false,
    negated: false,
  };
  const where = node(definition, ctx);
  const ws = options.workspaceId;
  const ids = options.customerIds;
  const joins: RawBuilder<unknown>[] = [];
  for (const { alias, aggregate, needs } of ctx.aggregates.values()) {
    joins.push(
      sql`left join (${aggregateTable(aggregate, needs, ctx)}) ${sql.id(alias)} on ${sql.ref(`${alias}.customer_id`)} = c.id`,
    );
  }
  if (ctx.stats)
    joins.push(sql`left join customer_stats s on s.workspace_id = c.workspace_id and s.customer_id = c.id`);
  if (ctx.predictions)
    joins.push(sql`left join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id`);
  return sql<{ id: number }>`select c.id from customer c ${sql.join(joins, sql` `)}
    where c.workspace_id = ${ws} and c.merged_into_id is null
    ${ids ? sql`and c.id = any(${[...ids]}::bigint[])` : sql``}
    and (${where})`;
}

function node(n: RuleNode, ctx: Context): RawBuilder<unknown> {
  if ('and' in n)
    return sql`(${sql.join(
      n.and.map((c) => node(c, ctx)),
      sql` and `,
    )})`;
  if ('or' in n)
    return sql`(${sql.join(
      n.or.map((c) => node(c, ctx)),
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
 * Under `not`, nullable comparisons are made two-valued, so that `not` means "does not match".
 * Elsewhere NULL already acts as false in WHERE, and a bare comparison lets the planner see a
 * strict condition (turning left joins into joins and estimating selectivity).
 */
function definite(ctx: Context, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return ctx.negated ? sql`coalesce((${expr}), false)` : expr;
}

function compare(
  ctx: Context,
  left: RawBuilder<unknown>,
  op: string,
  value: Value | undefined,
  cast: string,
) {
  const c = sql.raw(cast);
  switch (op) {
    case 'exists':
      return sql`(${left} is not null)`;
    case 'not_exists':
      return sql`(${left} is null)`;
    case 'in':
      return definite(ctx, sql`${left} = any(${(value as unknown[]).map(String)}::${sql.raw(cast)}[])`);
    case 'not_in':
      return definite(ctx, sql`${left} <> all(${(value as unknown[]).map(String)}::${sql.raw(cast)}[])`);
    default:
      return definite(ctx, sql`${left} ${sql.raw(OPS[op as Comparison])} ${value}::${c}`);
  }
}

const FIELD_CAST = { text: 'text', date: 'date', timestamp: 'timestamptz', number: 'numeric' } as const;

function condition(n: Condition, ctx: Context): RawBuilder<unknown> {
  const identityExists = (kind: string) =>
    sql`exists (select 1 from customer_identity i where i.workspace_id = c.workspace_id and i.customer_id = c.id and i.kind = ${kind})`;
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
  ctx.predictions = true;
  return definite(ctx, sql`${sql.ref(`p.${n.prediction}`)} ${sql.raw(OPS[n.op])} ${n.value}::float8`);
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

type Measure = 'n' | 's' | 'f' | 'l';

function aggregateTable(a: Aggregate, needs: Set<Measure>, ctx: Context): RawBuilder<unknown> {
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
    ${ids ? sql`and customer_id = any(${[...ids]}::bigint[])` : sql``}
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

function holdsForZero(op: string, value: number): boolean {
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

function aggregate(a: Aggregate, op: string, value: unknown, ctx: Context): RawBuilder<unknown> {
  if (a.measure === 'count') {
    const present = countPresence(op, value);
    if (present !== undefined) {
      const s = SOURCES[a.of];
      const exists = sql`exists (select 1 from ${sql.table(s.table)} x where ${sourceFilter(a, ctx, 'x')} and x.customer_id = c.id)`;
      return present ? exists : sql`not ${exists}`;
    }
  }
  const key = `${a.of}|${a.window?.days ?? ''}|${a.type ?? ''}`;
  let entry = ctx.aggregates.get(key);
  if (!entry) {
    entry = { alias: `a${ctx.aggregates.size}`, aggregate: a, needs: new Set() };
    ctx.aggregates.set(key, entry);
  }
  const { alias, needs } = entry;
  const col = (name: Measure) => {
    needs.add(name);
    return sql.ref(`${alias}.${name}`);
  };
  const total = (name: Measure) =>
    // Customers without rows have no derived row: their count and sum are 0, which only matters
    // when 0 itself satisfies the comparison.
    holdsForZero(op, Number(value))
      ? definite(ctx, sql`coalesce(${col(name)}, 0) ${sql.raw(OPS[op as Comparison])} ${value}::numeric`)
      : definite(ctx, sql`${col(name)} ${sql.raw(OPS[op as Comparison])} ${value}::numeric`);
  switch (a.measure) {
    case 'count':
      return total('n');
    case 'sum':
      return total('s');
    case 'first':
      return compare(ctx, col('f'), op, value as Value, 'timestamptz');
    case 'last':
      return compare(ctx, col('l'), op, value as Value, 'timestamptz');
    case 'days_since_first':
      return daysSince(ctx, col('f'), op, value as Value);
    case 'days_since_last':
      return daysSince(ctx, col('l'), op, value as Value);
  }
}
