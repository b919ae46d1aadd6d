// Sending a campaign, safe to run any number of times (a retried job, a second worker, a repeated
// "send now"): the audience is fixed once, under the campaign's row lock; each variant goes to
// the messaging core with the idempotency key campaign:<id>:<variant>, so a rerun finds the first
// send instead of making another. Holdout customers never reach the core at all.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { emailAdapter } from '../email/email-adapter.ts';
import { type EmailSource, loadEmailSource } from '../email/email-source.ts';
import { renderEmailAudience } from '../email/personalize-email.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { lineAdapter } from '../line/line-adapter.ts';
import { createSend as createLineSend } from '../line/sends.ts';
import { createSend } from '../messaging/create-send.ts';
import type { SendView } from '../messaging/send-status.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { personalizeLineSend } from '../templates/personalize-line-send.ts';
import type { CampaignTable } from './campaign-tables.ts';
import { assignAudience } from './experiment-buckets.ts';

export interface CampaignSendContext {
  db: Kysely<DB>;
  /** Enqueues each send's delivery in the send's own transaction (routes and tests have it). */
  jobs: Jobs | undefined;
  /**
   * Without `jobs` (a job handler has no Jobs handle): enqueues a created send's delivery after
   * its commit. A crash in between leaves the send queued, and a starting worker resumes every
   * queued send (messaging's unfinishedSends), so it is still delivered, once (leases and keys).
   */
  deliverLater?: (workspaceId: string, sendId: number, job: string) => Promise<void>;
  secrets: SecretBox;
  /** The business instant (the injected clock's). */
  now: Date;
}

type CampaignRow = Selectable<CampaignTable>;

/** The experiment a campaign's buckets hash with: stable for the campaign, distinct per workspace. */
export function campaignExperimentId(workspaceId: string, campaignId: number): string {
  return `${workspaceId}/campaign:${campaignId}`;
}

async function audienceIds(tx: Kysely<DB>, workspaceId: string, c: CampaignRow): Promise<number[]> {
  const { rows } =
    c.segment_id !== null
      ? await sql<{ id: number }>`select m.customer_id as id from segment_member m
          join customer cu on cu.workspace_id = m.workspace_id and cu.id = m.customer_id and cu.merged_into_id is null
          where m.workspace_id = ${workspaceId} and m.segment_id = ${c.segment_id} order by m.customer_id`.execute(
          tx,
        )
      : await sql<{ id: number }>`select id from customer
          where workspace_id = ${workspaceId} and id = any(${c.customer_ids ?? []}::bigint[]) and merged_into_id is null
          order by id`.execute(tx);
  return rows.map((r) => Number(r.id));
}

/**
 * Fixes the audience (membership snapshot, holdout, variants) if it is not fixed yet, under the
 * campaign's row lock. Returns the campaign, or undefined when it is not sending.
 */
async function fixAudience(
  ctx: CampaignSendContext,
  workspaceId: string,
  id: number,
): Promise<CampaignRow | undefined> {
  return transact(ctx.db, async (tx) => {
    const c = await tx
      .selectFrom('campaign')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (c?.status !== 'sending') return undefined;
    if (c.audience_fixed_at) return c;
    const variants = await tx
      .selectFrom('campaign_variant')
      .select(['key', 'weight'])
      .where('workspace_id', '=', workspaceId)
      .where('campaign_id', '=', id)
      .orderBy('key')
      .execute();
    const ids = await audienceIds(tx, workspaceId, c);
    const assigned = assignAudience(
      campaignExperimentId(workspaceId, id),
      ids,
      Number(c.holdout_percent),
      variants,
    );
    for (let i = 0; i < assigned.length; i += 10_000) {
      const chunk = assigned.slice(i, i + 10_000);
      await sql`insert into campaign_recipient (workspace_id, campaign_id, customer_id, bucket, variant_key, decision)
        select ${workspaceId}::uuid, ${id}::bigint, u.customer_id, u.bucket, u.variant_key,
          case when u.variant_key is null then 'holdout' else 'send' end
        from unnest(${chunk.map((a) => a.customerId)}::bigint[], ${chunk.map((a) => a.bucket)}::int[],
          ${chunk.map((a) => a.variantKey)}::text[]) as u(customer_id, bucket, variant_key)`.execute(tx);
    }
    await tx
      .updateTable('campaign')
      .set({ audience_fixed_at: ctx.now, updated_at: ctx.now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
    return { ...c, audience_fixed_at: ctx.now };
  });
}

type Variant = { key: string; messages: unknown[]; email: EmailSource | null };

/** Marks recipients whose content did not render (they are not handed to the core). */
async function markRenderFailed(
  ctx: CampaignSendContext,
  workspaceId: string,
  c: CampaignRow,
  failed: { customerId: number; detail: string }[],
): Promise<void> {
  for (const f of failed)
    await sql`update campaign_recipient set decision = 'render_failed', detail = ${f.detail}
      where workspace_id = ${workspaceId} and campaign_id = ${c.id} and customer_id = ${f.customerId}`.execute(
      ctx.db,
    );
}

/** The variant's LINE send: shared content, or each customer's rendered copy with tracked links. */
async function lineVariantSend(
  ctx: CampaignSendContext,
  workspaceId: string,
  c: CampaignRow,
  v: Variant,
  customerIds: number[],
): Promise<SendView> {
  const origin = `campaign:${c.id}/${v.key}`;
  const content = await personalizeLineSend(ctx.db, ctx.secrets, workspaceId, v.messages, customerIds, {
    origin,
    linkBase: c.track_clicks ? c.link_base : null,
    ...(c.coupon_template_id !== null ? { couponTemplateId: Number(c.coupon_template_id) } : {}),
  });
  await markRenderFailed(
    ctx,
    workspaceId,
    c,
    content.failed.map((f) => ({
      customerId: f.customerId,
      detail: `${f.problem.path}: ${f.problem.reason}`,
    })),
  );
  return createLineSend(
    ctx.db,
    ctx.jobs,
    workspaceId,
    {
      channelId: c.channel_id,
      idempotencyKey: `campaign:${c.id}:${v.key}`,
      origin,
      messages: v.messages,
      customerIds: content.customerIds,
      ...(content.personalized ? { personalized: content.personalized } : {}),
      kind: 'marketing',
      quietHours: c.quiet_hours,
    },
    deliverOnOpen(ctx, workspaceId, c),
  );
}

/**
 * A large send is delivered while its outbox is still being written: without `jobs` (the job
 * handler), its delivery is enqueued once the first chunk commits, not after the last.
 */
function deliverOnOpen(ctx: CampaignSendContext, workspaceId: string, c: CampaignRow) {
  const { deliverLater } = ctx;
  return ctx.jobs || !deliverLater
    ? {}
    : { onOpened: (sendId: number) => deliverLater(workspaceId, sendId, jobOf(c)) };
}

/**
 * The variant's email send: the template (as it is now) or inline MJML, rendered per customer,
 * links tracked. Always marketing (一斉配信 is advertising mail: footer, List-Unsubscribe, consent).
 * A template deleted since the campaign was written renders for no one (`render_failed`, no send).
 */
async function emailVariantSend(
  ctx: CampaignSendContext,
  workspaceId: string,
  c: CampaignRow,
  v: Variant,
  customerIds: number[],
): Promise<SendView | null> {
  const origin = `campaign:${c.id}/${v.key}`;
  const mail = v.email ? await loadEmailSource(ctx.db, workspaceId, v.email) : null;
  if (!mail) {
    const detail = 'email: the template no longer exists (メールテンプレートが削除されています)';
    await markRenderFailed(
      ctx,
      workspaceId,
      c,
      customerIds.map((customerId) => ({ customerId, detail })),
    );
    return null;
  }
  const audience = await renderEmailAudience(ctx.db, ctx.secrets, workspaceId, mail.content, customerIds, {
    origin,
    marketing: c.track_clicks,
    linkBase: c.link_base,
    couponTemplateId: c.coupon_template_id === null ? undefined : Number(c.coupon_template_id),
  });
  await markRenderFailed(
    ctx,
    workspaceId,
    c,
    audience.failed.map((f) => ({ customerId: f.customerId, detail: `${f.path}: ${f.reason}` })),
  );
  return createSend(
    ctx.db,
    ctx.jobs,
    emailAdapter,
    workspaceId,
    {
      channelId: c.channel_id,
      idempotencyKey: `campaign:${c.id}:${v.key}`,
      origin,
      messages: [mail.content],
      customerIds: audience.customerIds,
      ...(audience.personalized ? { personalized: audience.personalized } : {}),
      kind: 'marketing',
      quietHours: c.quiet_hours,
    },
    deliverOnOpen(ctx, workspaceId, c),
  );
}

/** Hands one variant to the messaging core (once: the key finds an earlier send). */
async function sendVariant(ctx: CampaignSendContext, workspaceId: string, c: CampaignRow, v: Variant) {
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from campaign_recipient
    where workspace_id = ${workspaceId} and campaign_id = ${c.id} and variant_key = ${v.key} and decision <> 'holdout'
    order by customer_id`.execute(ctx.db);
  const ids = rows.map((r) => Number(r.customer_id));
  const send =
    c.channel === 'email'
      ? await emailVariantSend(ctx, workspaceId, c, v, ids)
      : await lineVariantSend(ctx, workspaceId, c, v, ids);
  if (!send) return;
  await ctx.db
    .updateTable('campaign_variant')
    .set({ send_id: send.id })
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', c.id)
    .where('key', '=', v.key)
    .execute();
}

/** The delivery job of the campaign's channel. */
const jobOf = (c: CampaignRow) => (c.channel === 'email' ? emailAdapter.jobName : lineAdapter.jobName);

/**
 * Sends a campaign that is `sending`: fixes its audience, sends each variant not yet sent, marks
 * it sent. Returns false when the campaign was not sending (cancelled, sent, still a draft).
 */
export async function runCampaignSend(
  ctx: CampaignSendContext,
  workspaceId: string,
  id: number,
): Promise<boolean> {
  const c = await fixAudience(ctx, workspaceId, id);
  if (!c) return false;
  const variants = await ctx.db
    .selectFrom('campaign_variant')
    .select(['key', 'messages', 'email', 'send_id'])
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', id)
    .orderBy('key')
    .execute();
  for (const v of variants) {
    if (v.send_id === null) await sendVariant(ctx, workspaceId, c, v);
    // A rerun enqueues the delivery of a send made by the run before, in case that run died
    // before enqueueing it (a second delivery job for a send is harmless: its lease serialises them).
    else if (!ctx.jobs) await ctx.deliverLater?.(workspaceId, Number(v.send_id), jobOf(c));
  }
  await ctx.db
    .updateTable('campaign')
    .set({ status: 'sent', sent_at: ctx.now, updated_at: ctx.now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
  return true;
}
