/**
 * What the rule-tree compiler (compile-definition.ts, compile-aggregate.ts) shares while it turns
 * one or several definitions into SQL: the JST clock, the derived tables collected so far, the
 * joins needed, and the comparison helpers.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Aggregate, Comparison, Value } from './rule-tree.ts';

export interface CompileOptions {
  workspaceId: string;
  /** The evaluation instant (default: now). Tests and benchmarks pin it. */
  now?: Date;
  /** Restrict the evaluation to these customers (incremental recompute). */
  customerIds?: readonly number[];
  /**
   * Read whole-life order and visit figures from `customer_stats` instead of grouping the order
   * and visit tables. Only correct when the stats of every evaluated customer are current, which
   * the incremental recompute guarantees by recomputing them first, in the same transaction.
   */
  fromStats?: boolean;
}

/**
 * Customer ids as one `bigint[]` parameter, sent as an array literal: node-postgres would
 * otherwise format each element of a JS array (several milliseconds for 5,000 ids, on the event
 * loop that the recompute's other parts share).
 */
export function idArray(ids: readonly number[]): RawBuilder<unknown> {
  return sql`${`{${ids.join(',')}}`}::bigint[]`;
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

export const OPS: Record<Comparison, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

export type Measure = 'n' | 's' | 'f' | 'l';

export interface Context {
  options: CompileOptions;
  clock: ReturnType<typeof jstClock>;
  /** Grouped derived tables, one per (source, window, event type), shared by every definition. */
  aggregates: Map<string, { alias: string; aggregate: Aggregate; needs: Set<Measure> }>;
  stats: boolean;
  predictions: boolean;
  /** A condition read a column of the customer row itself (profile, attribute, tag, dates). */
  profile: boolean;
  /** Inside an odd number of `not`s, where a NULL comparison must become false explicitly. */
  negated: boolean;
  /** Compiling for a select list (several definitions at once), not a WHERE clause. */
  selectList?: boolean;
  /** WHERE clause only: how many conditions read each grouped (source, window, type). */
  groupedUses?: Map<string, number>;
}

export function newContext(options: CompileOptions): Context {
  return {
    options,
    clock: jstClock(options.now ?? new Date()),
    aggregates: new Map(),
    stats: false,
    predictions: false,
    profile: false,
    negated: false,
  };
}

/**
 * Under `not`, nullable comparisons are made two-valued, so that `not` means "does not match".
 * Elsewhere NULL already acts as false in WHERE, and a bare comparison lets the planner see a
 * strict condition (turning left joins into joins and estimating selectivity).
 */
export function definite(ctx: Context, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return ctx.negated ? sql`coalesce((${expr}), false)` : expr;
}

export function compare(
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
      return definite(ctx, sql`${left} = any(${(value as unknown[]).map(String)}::${c}[])`);
    case 'not_in':
      return definite(ctx, sql`${left} <> all(${(value as unknown[]).map(String)}::${c}[])`);
    default:
      return definite(ctx, sql`${left} ${sql.raw(OPS[op as Comparison])} ${value}::${c}`);
  }
}
