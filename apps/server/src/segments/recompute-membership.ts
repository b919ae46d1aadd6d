/**
 * The incremental recompute: after a change touched some customers, bring their membership of
 * the segments the change can affect up to date, in one transaction.
 *
 * 1. Lock those segment rows (in id order, as every evaluation does), so that two recomputes of
 *    a segment run one after the other and the later one sees every change the earlier saw.
 * 2. One statement evaluates every such segment's definition for the touched customers only (the
 *    definitions compiled together, whole-life order and visit figures read from customer_stats),
 *    diffs the (segment, customer) pairs against segment_member, and writes the entries, exits,
 *    history spells, outbox events and member counts.
 *
 * The result is the membership a full evaluation would give for those customers: the writers
 * keep customer_stats exact in their own transactions (applyStatsDeltas), a segment that reads
 * nothing the change wrote cannot have moved (segment-inputs.ts), and the other customers'
 * membership cannot depend on this change.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { compileMatches } from './compile-definition.ts';
import type { MembershipChange } from './evaluate-membership.ts';
import { type MembershipPair, writeMembershipDiff } from './membership-write.ts';
import type { RuleNode } from './rule-tree.ts';
import { affectedBy, definitionInputs, type SegmentChange } from './segment-inputs.ts';
import './segment-tables.ts';

/** Re-evaluates the segments of a workspace that a change can affect, for the customers it touched. */
export async function recomputeForCustomers(
  db: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  options: RecomputeOptions = {},
): Promise<MembershipChange> {
  if (customerIds.length === 0) return { entered: 0, exited: 0 };
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  const phase = phaseTimer(options.onPhase);
  return transact(db, async (tx) => {
    // These statements probe a few thousand customers by key. With the default cost of a random
    // page read (4, a disk's) the planner prefers reading whole tables once the id list is long
    // (a parallel seq scan of customer at a million customers, measured); with the working set in
    // memory a probe costs about a sequential read. JIT only adds compile time at this size.
    await sql`set local random_page_cost = 1.1`.execute(tx);
    await sql`set local jit = off`.execute(tx);
    // Which segments the change can affect; their rows are then locked and read again, so the
    // evaluation uses the definitions as they are once the lock is held.
    const all = await tx
      .selectFrom('segment')
      .select(['id', 'definition'])
      .where('workspace_id', '=', workspaceId)
      .execute();
    const change = options.change ?? {};
    const affected = all.filter((s) => affectedBy(definitionInputs(s.definition as RuleNode), change));
    if (affected.length === 0) return { entered: 0, exited: 0 };
    const segments = await tx
      .selectFrom('segment')
      .select(['id', 'definition', 'evaluated_at'])
      .where('workspace_id', '=', workspaceId)
      .where(
        'id',
        'in',
        affected.map((s) => s.id),
      )
      .orderBy('id')
      .forUpdate()
      .execute();
    phase('lock');
    if (segments.length === 0) return { entered: 0, exited: 0 };
    const result = await applyDiffs(
      tx,
      workspaceId,
      segments.map((s) => ({
        id: s.id,
        definition: s.definition as RuleNode,
        emits: s.evaluated_at !== null,
      })),
      ids,
      options.now ?? new Date(),
    );
    phase('segments');
    return result;
  });
}

export interface RecomputeOptions {
  /** The evaluation instant (default: now). */
  now?: Date;
  /** What changed (the topic and its payload): only the segments it can affect are evaluated. */
  change?: SegmentChange;
  /** Called after each phase (lock, segments) with its duration, for benchmarks and logs. */
  onPhase?: (phase: string, ms: number) => void;
}

function phaseTimer(onPhase: RecomputeOptions['onPhase']) {
  let last = performance.now();
  return (name: string) => {
    const t = performance.now();
    onPhase?.(name, t - last);
    last = t;
  };
}

async function applyDiffs(
  tx: Kysely<DB>,
  ws: string,
  segments: readonly RecomputedSegment[],
  ids: readonly number[],
  at: Date,
): Promise<MembershipChange> {
  const { rows } = await membershipDiff(ws, segments, ids, at).execute(tx);
  return rows[0] ?? { entered: 0, exited: 0 };
}

export interface RecomputedSegment {
  id: number;
  definition: RuleNode;
  /** False for a segment never evaluated in full yet: members, but no entry events (see evaluateSegment). */
  emits: boolean;
}

/**
 * The one statement of step 3: evaluate, diff, write. Exported for bench/segments'
 * explain-recompute.ts.
 */
export function membershipDiff(
  ws: string,
  segments: readonly RecomputedSegment[],
  ids: readonly number[],
  at: Date,
) {
  const matched = compileMatches(segments, { workspaceId: ws, now: at, customerIds: ids, fromStats: true });
  const segmentIds = segments.map((s) => s.id);
  const emitting = segments.filter((s) => s.emits).map((s) => s.id);
  // The memberships of the touched customers, looked up by customer and only then filtered by
  // segment (`offset 0` keeps the filter out of the index scan): segment_id = any(…) next to
  // customer_id = any(…) would probe the index once per (segment, customer) pair.
  const current = sql<MembershipPair>`select t.segment_id, t.customer_id from (
      select m.segment_id, m.customer_id from segment_member m
      where m.workspace_id = ${ws} and m.customer_id = any(${[...ids]}::bigint[]) offset 0) t
    where t.segment_id = any(${segmentIds}::bigint[])`;
  return writeMembershipDiff(ws, matched, current, emitting, at);
}
