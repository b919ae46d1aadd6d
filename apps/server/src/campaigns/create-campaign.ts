// Writing a campaign: everything a send would trip over is refused now, naming the field (the
// channel, the segment, each customer id, each message, and every Liquid field rendered against
// sample customers), so that sending later cannot fail for a reason the marketer could fix.
import { type Kysely, sql } from 'kysely';
import { assertCustomersExist } from '../customers/known-customers.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { lineAdapter } from '../line/line-adapter.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { validateContents } from '../templates/validate-content.ts';
import { type CampaignView, getCampaign } from './campaign-view.ts';

export interface CampaignInput {
  name: string;
  channelId: string;
  audience: { segmentId: number } | { customerIds: number[] };
  holdoutPercent?: number;
  attributionDays?: number;
  quietHours?: 'hold' | 'skip';
  couponTemplateId?: number;
  trackClicks?: boolean;
  variants: { key: string; weight?: number; messages: unknown[] }[];
}

/** Up to five customers the Liquid is tried on besides the synthetic ones: the audience's first. */
async function sampleCustomers(db: Kysely<DB>, workspaceId: string, input: CampaignInput): Promise<number[]> {
  if ('customerIds' in input.audience) return input.audience.customerIds.slice(0, 5);
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from segment_member where workspace_id = ${workspaceId} and segment_id = ${input.audience.segmentId}
    order by customer_id limit 5`.execute(db);
  return rows.map((r) => Number(r.customer_id));
}

async function checkReferences(db: Kysely<DB>, workspaceId: string, input: CampaignInput): Promise<void> {
  const problems: FieldProblem[] = [];
  const keys = new Set<string>();
  for (const [i, v] of input.variants.entries()) {
    if (keys.has(v.key))
      problems.push({ path: `variants[${i}].key`, message: `variant ${v.key} is repeated` });
    keys.add(v.key);
    lineAdapter.checkContent(v.messages, `variants[${i}].messages`, problems);
  }
  if ('segmentId' in input.audience) {
    const { rows } =
      await sql`select 1 from segment where workspace_id = ${workspaceId} and id = ${input.audience.segmentId}`.execute(
        db,
      );
    if (!rows.length)
      problems.push({
        path: 'audience.segmentId',
        message: `no segment ${input.audience.segmentId} in this workspace`,
      });
  }
  if (input.couponTemplateId !== undefined) {
    const { rows } =
      await sql`select 1 from coupon_template where workspace_id = ${workspaceId} and id = ${input.couponTemplateId}`.execute(
        db,
      );
    if (!rows.length)
      problems.push({
        path: 'couponTemplateId',
        message: `no coupon template ${input.couponTemplateId} in this workspace`,
      });
  }
  if (problems.length) throw invalid(problems);
  if ('customerIds' in input.audience)
    await assertCustomersExist(
      db,
      workspaceId,
      input.audience.customerIds.map((customerId, i) => ({ path: `audience.customerIds[${i}]`, customerId })),
    );
  await lineAdapter.assertChannel(db, workspaceId, input.channelId);
}

/** Creates a draft campaign after checking it; `linkBase` is the public URL clicks go through. */
export async function createCampaign(
  db: Kysely<DB>,
  workspaceId: string,
  input: CampaignInput,
  context: { actor: string; linkBase: string; now: Date },
): Promise<CampaignView> {
  await checkReferences(db, workspaceId, input);
  await validateContents(
    db,
    workspaceId,
    input.variants.map((v, i) => ({ base: `variants[${i}].messages`, content: v.messages })),
    await sampleCustomers(db, workspaceId, input),
    input.couponTemplateId !== undefined ? { couponTemplateId: input.couponTemplateId } : {},
  );
  const id = await transact(db, async (tx) => {
    const row = await tx
      .insertInto('campaign')
      .values({
        workspace_id: workspaceId,
        name: input.name,
        channel_id: input.channelId,
        segment_id: 'segmentId' in input.audience ? input.audience.segmentId : null,
        customer_ids: 'customerIds' in input.audience ? [...new Set(input.audience.customerIds)] : null,
        holdout_percent: input.holdoutPercent ?? 0,
        attribution_days: input.attributionDays ?? 7,
        quiet_hours: input.quietHours ?? 'hold',
        coupon_template_id: input.couponTemplateId ?? null,
        track_clicks: input.trackClicks ?? true,
        link_base: context.linkBase,
        created_by: context.actor,
        created_at: context.now,
        updated_at: context.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('campaign_variant')
      .values(
        input.variants.map((v) => ({
          workspace_id: workspaceId,
          campaign_id: row.id,
          key: v.key,
          weight: v.weight ?? 1,
          messages: JSON.stringify(v.messages),
        })),
      )
      .execute();
    return Number(row.id);
  });
  return getCampaign(db, workspaceId, id);
}
