// Writing a campaign: everything a send would trip over is refused now, naming the field (the
// channel or email sender, the segment, each customer id, each message or email source, and every
// Liquid field rendered against sample customers), so that sending later cannot fail for a reason the marketer could fix.
import { type Kysely, sql } from 'kysely';
import { assertCustomersExist } from '../customers/known-customers.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import {
  checkEmailSource,
  checkEmailSourceShape,
  type EmailSource,
  emailSenderId,
} from '../email/email-source.ts';
import { lineAdapter } from '../line/line-adapter.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { validateContents } from '../templates/validate-content.ts';
import { type CampaignView, getCampaign } from './campaign-view.ts';

export interface CampaignInput {
  name: string;
  /** `line` (default) or `email`. */
  channel?: 'line' | 'email';
  /** The LINE channel (required for LINE); for email, the workspace's sender (its id, optional). */
  channelId?: string;
  audience: { segmentId: number } | { customerIds: number[] };
  holdoutPercent?: number;
  attributionDays?: number;
  quietHours?: 'hold' | 'skip';
  couponTemplateId?: number;
  trackClicks?: boolean;
  /** LINE variants carry `messages`, email variants `email` (a template id, or subject and MJML). */
  variants: { key: string; weight?: number; messages?: unknown[]; email?: EmailSource }[];
}

/** Up to five customers the Liquid is tried on besides the synthetic ones: the audience's first. */
async function sampleCustomers(db: Kysely<DB>, workspaceId: string, input: CampaignInput): Promise<number[]> {
  if ('customerIds' in input.audience) return input.audience.customerIds.slice(0, 5);
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from segment_member where workspace_id = ${workspaceId} and segment_id = ${input.audience.segmentId}
    order by customer_id limit 5`.execute(db);
  return rows.map((r) => Number(r.customer_id));
}

/** The variants' content for the channel: LINE messages, or a well-formed email source. */
function checkVariants(input: CampaignInput, problems: FieldProblem[]): void {
  const keys = new Set<string>();
  for (const [i, v] of input.variants.entries()) {
    if (keys.has(v.key))
      problems.push({ path: `variants[${i}].key`, message: `variant ${v.key} is repeated` });
    keys.add(v.key);
    const [wanted, other] = input.channel === 'email' ? ['email', 'messages'] : ['messages', 'email'];
    if (v[other as 'email' | 'messages'] !== undefined)
      problems.push({
        path: `variants[${i}].${other}`,
        message: `a ${input.channel ?? 'line'} campaign's variant takes "${wanted}", not "${other}"`,
      });
    if (input.channel === 'email') {
      if (v.email === undefined)
        problems.push({
          path: `variants[${i}].email`,
          message: 'required: { "templateId" } or { "subject", "mjml" }',
        });
      else checkEmailSourceShape(v.email, `variants[${i}].email`, problems);
    } else if (v.messages === undefined)
      problems.push({ path: `variants[${i}].messages`, message: 'required: the LINE messages' });
    else lineAdapter.checkContent(v.messages, `variants[${i}].messages`, problems);
  }
}

/**
 * The account the campaign sends through: the LINE channel (checked), or the workspace's email
 * sender (a campaign's channelId, when given, must be that sender). Pushes a problem when none.
 */
async function channelAccount(
  db: Kysely<DB>,
  workspaceId: string,
  input: CampaignInput,
  problems: FieldProblem[],
): Promise<string | null> {
  if (input.channel !== 'email') {
    if (input.channelId === undefined)
      problems.push({ path: 'channelId', message: 'required for a LINE campaign' });
    return input.channelId ?? null;
  }
  const sender = await emailSenderId(db, workspaceId);
  if (!sender)
    problems.push({
      path: 'channel',
      message: 'no email sender in this workspace: PUT /v1/email/sender first (メール送信元が未設定です)',
    });
  else if (input.channelId !== undefined && input.channelId !== sender)
    problems.push({
      path: 'channelId',
      message: "not this workspace's email sender (leave it out for email)",
    });
  return sender;
}

async function checkReferences(db: Kysely<DB>, workspaceId: string, input: CampaignInput): Promise<string> {
  const problems: FieldProblem[] = [];
  checkVariants(input, problems);
  const account = await channelAccount(db, workspaceId, input, problems);
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
  if (problems.length || account === null) throw invalid(problems);
  if ('customerIds' in input.audience)
    await assertCustomersExist(
      db,
      workspaceId,
      input.audience.customerIds.map((customerId, i) => ({ path: `audience.customerIds[${i}]`, customerId })),
    );
  if (input.channel !== 'email') await lineAdapter.assertChannel(db, workspaceId, account);
  return account;
}

/** Every Liquid field rendered for sample customers: LINE messages, or each email source's. */
async function checkContents(db: Kysely<DB>, workspaceId: string, input: CampaignInput): Promise<void> {
  if (input.channel === 'email') {
    const problems: FieldProblem[] = [];
    for (const [i, v] of input.variants.entries())
      problems.push(...(await checkEmailSource(db, workspaceId, v.email!, `variants[${i}].email`)));
    if (problems.length) throw invalid(problems);
    return;
  }
  await validateContents(
    db,
    workspaceId,
    input.variants.map((v, i) => ({ base: `variants[${i}].messages`, content: v.messages ?? [] })),
    await sampleCustomers(db, workspaceId, input),
    input.couponTemplateId !== undefined ? { couponTemplateId: input.couponTemplateId } : {},
  );
}

/** Creates a draft campaign after checking it; `linkBase` is the public URL clicks go through. */
export async function createCampaign(
  db: Kysely<DB>,
  workspaceId: string,
  input: CampaignInput,
  context: { actor: string; linkBase: string; now: Date },
): Promise<CampaignView> {
  const account = await checkReferences(db, workspaceId, input);
  await checkContents(db, workspaceId, input);
  const id = await transact(db, async (tx) => {
    const row = await tx
      .insertInto('campaign')
      .values({
        workspace_id: workspaceId,
        name: input.name,
        channel: input.channel ?? 'line',
        channel_id: account,
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
          messages: JSON.stringify(v.messages ?? []),
          email: v.email === undefined ? null : JSON.stringify(v.email),
        })),
      )
      .execute();
    return Number(row.id);
  });
  return getCampaign(db, workspaceId, id);
}
