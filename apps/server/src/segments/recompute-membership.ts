/**
 * The incremental recompute: after a change touched some customers, bring their membership of
 * the segments the change can affect up to date.
 *
 * The customers are split into parts by shard (id mod 64) and each part is one transaction, run
 * side by side on the pool's connections (`parallel`, 1 on PGlite):
 *
 * 1. Take a key-share lock on the segment rows the change can affect (id order). It excludes a
 *    full evaluation of those segments (evaluateSegment locks the row for update) but not other
 *    recomputes.
 * 2. Take the part's shard locks (transaction advisory locks, ascending), so that two recomputes
 *    of one customer run one after the other and the later one sees every change the earlier saw,
 *    while recomputes of other customers (another part, another worker) run at the same time.
 * 3. One statement evaluates every such segment's definition for the part's customers only (the
 *    definitions compiled together, whole-life order and visit figures read from customer_stats),
 *    diffs the (segment, customer) pairs against segment_member, and writes the entries and exits.
 * 4. Last, under the workspace's log lock until the commit, the entries and exits are logged and
 *    the member counts move (membership-write.ts): log ids stay in commit order, and this short
 *    step is the only one two parts take in turn.
 *
 * The result is the membership a full evaluation would give for those customers: the writers
 * keep customer_stats exact in their own transactions (applyStatsDeltas), a segment that reads
 * nothing the change wrote cannot have moved (segment-inputs.ts), and the other customers'
 * membership cannot depend on this change. A part that fails leaves the parts that committed
 * correct on their own; the job's retry recomputes them all again, which changes nothing for them.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { idArray } from './compile-context.ts';
import { compileMatches } from './compile-definition.ts';
import type { MembershipChange } from './membership-write.ts';
import { appendMembershipLog, type MembershipPair, writeMembershipDiff } from './membership-write.ts';
import type { RuleNode } from './rule-tree.ts';
import { affectedBy, definitionInputs, type SegmentChange } from './segment-inputs.ts';
import './segment-tables.ts';

/** Customers are locked by shard (id mod SHARDS): fine enough that parts and workers rarely wait. */
export const SHARDS = 64;
/** Below this many customers a recompute is not split: a part's fixed cost would outweigh it. */
const MIN_PART = 1_000;

/** Re-evaluates the segments of a workspace that a change can affect, for the customers it touched. */
export async function recomputeForCustomers(
  db: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  options: RecomputeOptions = {},
): Promise<MembershipChange> {
  if (customerIds.length === 0) return { entered: 0, exited: 0 };
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  const minPart = options.minPartSize ?? MIN_PART;
  const count = Math.max(1, Math.min(options.parallel ?? 1, Math.floor(ids.length / minPart)));
  // Which segments the change can affect, read once for all parts; each part locks them and
  // reads their definitions again, so that it evaluates them as they are once the lock is held.
  const all = await db
    .selectFrom('segment')
    .select(['id', 'definition'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  const change = options.change ?? {};
  const affected = all
    .filter((s) => affectedBy(definitionInputs(s.definition as RuleNode), change))
    .map((s) => s.id);
  if (affected.length === 0) return { entered: 0, exited: 0 };
  const parts = Array.from({ length: count }, () => [] as number[]);
  for (const id of ids) parts[(id % SHARDS) % count]?.push(id);
  const now = options.now ?? new Date();
  const results = await Promise.all(
    parts
      .filter((part) => part.length > 0)
      .map((part, k) =>
        recomputePart(
          db,
          workspaceId,
          part,
          affected,
          now,
          phaseTimer(options.onPhase, count > 1 ? `part ${k + 1} ` : ''),
        ),
      ),
  );
  return {
    entered: results.reduce((sum, r) => sum + r.entered, 0),
    exited: results.reduce((sum, r) => sum + r.exited, 0),
  };
}

async function recomputePart(
  db: Kysely<DB>,
  workspaceId: string,
  ids: readonly number[],
  affected: readonly number[],
  now: Date,
  phase: (name: string) => void,
): Promise<MembershipChange> {
  const result = await transact(db, async (tx) => {
    // These statements probe a few thousand customers by key. With the default cost of a random
    // page read (4, a disk's) the planner prefers reading whole tables once the id list is long
    // (a parallel seq scan of customer at a million customers, measured); with the working set in
    // memory a probe costs about a sequential read. JIT only adds compile time at this size.
    await sql`set local random_page_cost = 1.1`.execute(tx);
    await sql`set local jit = off`.execute(tx);
    const segments = await tx
      .selectFrom('segment')
      .select(['id', 'definition', 'evaluated_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', [...affected])
      .orderBy('id')
      .forKeyShare()
      .execute();
    if (segments.length === 0) return { entered: 0, exited: 0 };
    const shards = [...new Set(ids.map((id) => id % SHARDS))].sort((a, b) => a - b);
    await sql`select pg_advisory_xact_lock(hashtext(${`kizuna.segments:${workspaceId}`}), t.shard)
      from (select unnest(${shards}::int[]) as shard order by 1) t`.execute(tx);
    phase('lock');
    const { rows } = await membershipDiff(
      workspaceId,
      segments.map((s) => ({
        id: s.id,
        definition: s.definition as RuleNode,
        emits: s.evaluated_at !== null,
      })),
      ids,
      now,
    ).execute(tx);
    phase('segments');
    const result = rows[0]
      ? await appendMembershipLog(tx, workspaceId, rows[0], now)
      : { entered: 0, exited: 0 };
    phase('log');
    return result;
  });
  phase('commit');
  return result;
}

export interface RecomputeOptions {
  /** The evaluation instant (default: now). */
  now?: Date;
  /** What changed (the topic and its payload): only the segments it can affect are evaluated. */
  change?: SegmentChange;
  /**
   * How many parts may run at once, each in its own transaction on its own connection (default
   * 1; the job uses 2 on PostgreSQL, 1 on PGlite, whose one connection runs one transaction at a
   * time).
   */
  parallel?: number;
  /** The fewest customers a part may have (default 1,000). */
  minPartSize?: number;
  /** Called after each phase (lock, segments, log, commit; `part N …` when split) with its duration. */
  onPhase?: (phase: string, ms: number) => void;
}

function phaseTimer(onPhase: RecomputeOptions['onPhase'], prefix: string) {
  let last = performance.now();
  return (name: string) => {
    const t = performance.now();
    onPhase?.(`${prefix}${name}`, t - last);
    last = t;
  };
}

export interface RecomputedSegment {
  id: number;
  definition: RuleNode;
  /** False for a segment never evaluated in full yet: members, but no entry events (see evaluateSegment). */
  emits: boolean;
}

/**
 * The one statement of step 3: evaluate, diff, write the members, and return what step 4 logs.
 * Exported for bench/segments' explain-recompute.ts.
 */
export function membershipDiff(
  ws: string,
  segments: readonly RecomputedSegment[],
  ids: readonly number[],
  at: Date,
) {
  const matched = compileMatches(segments, { workspaceId: ws, now: at, customerIds: ids, fromStats: true });
  const emitting = segments.filter((s) => s.emits).map((s) => s.id);
  const current = currentMemberships(
    ws,
    segments.map((s) => s.id),
    ids,
  );
  return writeMembershipDiff(ws, matched, current, emitting, at);
}

/**
 * The memberships of the touched customers, looked up by customer (a join on the unnested ids:
 * `customer_id = any(…)` with thousands of ids costs the planner milliseconds of selectivity
 * estimates per element) and only then filtered by segment (`offset 0` keeps the filter out of
 * the index scan): segment_id = any(…) in the index condition would probe the index once per
 * (segment, customer) pair.
 */
export function currentMemberships(ws: string, segmentIds: readonly number[], ids: readonly number[]) {
  return sql<MembershipPair>`select t.segment_id, t.customer_id from (
      select m.segment_id, m.customer_id from unnest(${idArray(ids)}) u(id)
        join segment_member m on m.workspace_id = ${ws} and m.customer_id = u.id offset 0) t
    where t.segment_id = any(${[...segmentIds]}::bigint[])`;
}
