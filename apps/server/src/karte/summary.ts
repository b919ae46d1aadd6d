// The customer summary of the karte: segments, loyalty and CLV, each read through the function
// its capability owns.
import type { Kysely } from 'kysely';
import { oneCustomerLtv } from '../analytics/clv-read.ts';
import type { DB } from '../db/schema.ts';
import { memberSummary } from '../loyalty/till.ts';
import { customerSegments } from '../segments/customer-segments.ts';
import type { CustomerSummary } from './karte-view.ts';

/** The summary of a live customer (the caller resolves merges and the workspace). */
export async function customerSummary(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  requestedId: number,
  at = new Date(),
): Promise<CustomerSummary> {
  const [segments, member, ltv] = await Promise.all([
    customerSegments(db, workspaceId, customerId),
    memberSummary(db, workspaceId, customerId, at),
    oneCustomerLtv(db, workspaceId, customerId),
  ]);
  return {
    customerId,
    mergedInto: customerId === requestedId ? null : customerId,
    segments,
    loyalty: {
      memberNo: member.memberNo,
      tier: member.tier,
      points: member.points,
      pointsExpiringSoon: {
        points: Number(member.pointsExpiringSoon.points),
        firstExpiry: member.pointsExpiringSoon.firstExpiry ?? null,
      },
      stamps: member.stamps,
      coupons: member.coupons,
    },
    // The response schema leaves out ltv's customerId (the summary's own).
    clv: ltv,
  };
}
