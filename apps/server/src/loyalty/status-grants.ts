// The daily status-based grants: each rule in rules.statusGrants names a segment (status-segments.ts)
// and grants its coupon to every current member of it, once per spell of membership: the grant
// key carries the instant the customer entered the segment, so a customer who stays lapsed gets
// one win-back coupon, and one who comes back and lapses again gets another.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { evaluateSegment } from '../segments/evaluate-membership.ts';
import { type GrantSkipReason, grantCouponOrSkip } from './coupon-grant-skips.ts';
import { lockMember } from './members.ts';
import { loadRules } from './rules.ts';
import { grantSegmentId } from './status-segments.ts';

export async function runStatusGrants(
  db: Kysely<DB>,
  workspaceId: string,
  options: { at?: Date; actor: string },
) {
  const at = options.at ?? new Date();
  const rules = await loadRules(db, workspaceId);
  const outcome = { granted: 0, skipped: 0, skipReasons: {} as Partial<Record<GrantSkipReason, number>> };
  for (const rule of rules.statusGrants) {
    const segmentId = await grantSegmentId(db, workspaceId, rule);
    // A segment deleted since the rules were saved grants nothing (the rules still name it).
    if (segmentId === undefined) continue;
    // Membership as of `at`: time-based segments are otherwise only as fresh as the hourly refresh.
    await evaluateSegment(db, workspaceId, segmentId, { now: at });
    const name = rule.trigger ?? `segment:${segmentId}`;
    for (const member of await spells(db, workspaceId, segmentId)) {
      // A limit reached, an inactive template or a tier the coupon is not for skips the customer
      // and records why (coupon_grant_skip); anything else is a bug.
      const result = await transact(db, async (tx) => {
        await lockMember(tx, workspaceId, member.customer_id);
        return grantCouponOrSkip(tx, workspaceId, {
          templateId: rule.couponTemplateId,
          customerId: member.customer_id,
          source: `status:${name}`,
          grantKey: `status:${name}:${member.spell}`,
          actor: options.actor,
          at,
        });
      });
      if (result.granted && !result.granted.replayed) outcome.granted++;
      else outcome.skipped++;
      if (result.skipped)
        outcome.skipReasons[result.skipped] = (outcome.skipReasons[result.skipped] ?? 0) + 1;
    }
  }
  return outcome;
}

/** The segment's current members with the start of their spell (microseconds, UTC). */
async function spells(db: Kysely<DB>, workspaceId: string, segmentId: number) {
  const { rows } = await sql<{ customer_id: number; spell: string }>`
    select customer_id, to_char(entered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as spell
    from segment_member where workspace_id = ${workspaceId} and segment_id = ${segmentId}
    order by customer_id`.execute(db);
  return rows.map((r) => ({ customer_id: Number(r.customer_id), spell: r.spell }));
}

export async function workspacesWithLoyalty(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`select workspace_id from loyalty_program
    union select distinct workspace_id from loyalty_member`.execute(db);
  return rows.map((r) => r.workspace_id);
}
