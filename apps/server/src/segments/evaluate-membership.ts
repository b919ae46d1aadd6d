/**
 * Brings a segment's materialised membership up to date with its definition: one statement that
 * runs the compiled query and writes the difference to segment_member, then the log of the
 * entries and exits (that journeys read and the history is made of) and the member count
 * (membership-write.ts). With
 * `customerIds` only those customers are evaluated; the incremental recompute after a change
 * (recompute-membership.ts) evaluates all of a workspace's segments together instead.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { idArray } from './compile-context.ts';
import { type CompileOptions, compileDefinition } from './compile-definition.ts';
import {
  appendMembershipLog,
  type MembershipChange,
  type MembershipPair,
  writeMembershipDiff,
} from './membership-write.ts';
import type { RuleNode } from './rule-tree.ts';
import './segment-tables.ts';

/**
 * Re-evaluates one segment (all customers, or `customerIds`) and records the difference.
 * The segment row is locked for the duration, so concurrent evaluations of one segment queue up
 * instead of both inserting the same entry.
 */
export async function evaluateSegment(
  db: Kysely<DB>,
  workspaceId: string,
  segmentId: number,
  options: { customerIds?: readonly number[]; now?: Date } = {},
): Promise<MembershipChange> {
  return transact(db, async (tx) => {
    const segment = await tx
      .selectFrom('segment')
      .select(['definition', 'evaluated_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', segmentId)
      .forUpdate()
      .executeTakeFirst();
    if (!segment) return { entered: 0, exited: 0 };
    // The first evaluation of a new segment records its members (their open spells) but no entry
    // events: a journey should not fire for everyone who already matched when it was saved.
    const firstEvaluation = segment.evaluated_at === null;
    const change = await applyDiff(
      tx,
      segment.definition as RuleNode,
      segmentId,
      {
        workspaceId,
        ...(options.now ? { now: options.now } : {}),
        ...(options.customerIds ? { customerIds: options.customerIds } : {}),
      },
      !firstEvaluation,
    );
    // (member_count was updated by the diff statement.)
    if (options.customerIds === undefined)
      await sql`update segment set evaluated_at = now()
        where workspace_id = ${workspaceId} and id = ${segmentId}`.execute(tx);
    return change;
  });
}

async function applyDiff(
  tx: Kysely<DB>,
  definition: RuleNode,
  segmentId: number,
  options: CompileOptions,
  emitEvents: boolean,
): Promise<MembershipChange> {
  const ws = options.workspaceId;
  const ids = options.customerIds;
  const matched = sql<MembershipPair>`select ${segmentId}::bigint as segment_id, q.id as customer_id
    from (${compileDefinition(definition, options)}) q`;
  const current = sql<MembershipPair>`select m.segment_id, m.customer_id from segment_member m
    where m.workspace_id = ${ws} and m.segment_id = ${segmentId}
    ${ids ? sql`and m.customer_id = any(${idArray(ids)})` : sql``}`;
  const at = options.now ?? new Date();
  const { rows } = await writeMembershipDiff(ws, matched, current, emitEvents ? [segmentId] : [], at).execute(
    tx,
  );
  return rows[0] ? appendMembershipLog(tx, ws, rows[0], at) : { entered: 0, exited: 0 };
}
