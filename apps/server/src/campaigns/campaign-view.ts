// A campaign as the API shows it, read from its rows.
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EmailSource } from '../email/email-source.ts';
import { notFound } from '../shared/domain-error.ts';
import type { CampaignStatus, CampaignTable, CampaignVariantTable } from './campaign-tables.ts';

export interface VariantView {
  key: string;
  weight: number;
  /** LINE messages ([] for an email variant). */
  messages: unknown[];
  /** An email variant's mail: a template id, or a subject and MJML (null for LINE). */
  email: EmailSource | null;
  /** The messaging core's send, once the campaign has sent. */
  sendId: number | null;
}

export interface CampaignView {
  id: number;
  name: string;
  channel: 'line' | 'email';
  /** The LINE channel, or the workspace's email sender. */
  channelId: string;
  audience: { segmentId: number } | { customerCount: number };
  holdoutPercent: number;
  attributionDays: number;
  quietHours: 'hold' | 'skip';
  couponTemplateId: number | null;
  trackClicks: boolean;
  status: CampaignStatus;
  scheduledAt: string | null;
  audienceFixedAt: string | null;
  sentAt: string | null;
  cancelledAt: string | null;
  /** When the campaign failed (status `failed`), and why. */
  failedAt: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  variants: VariantView[];
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

type CampaignRow = Selectable<CampaignTable>;
type VariantRow = Pick<
  Selectable<CampaignVariantTable>,
  'campaign_id' | 'key' | 'weight' | 'messages' | 'email' | 'send_id'
>;

function viewOf(c: CampaignRow, variants: VariantRow[]): CampaignView {
  return {
    id: Number(c.id),
    name: c.name,
    channel: c.channel,
    channelId: c.channel_id,
    audience:
      c.segment_id !== null
        ? { segmentId: Number(c.segment_id) }
        : { customerCount: c.customer_ids?.length ?? 0 },
    holdoutPercent: Number(c.holdout_percent),
    attributionDays: c.attribution_days,
    quietHours: c.quiet_hours,
    couponTemplateId: c.coupon_template_id === null ? null : Number(c.coupon_template_id),
    trackClicks: c.track_clicks,
    status: c.status,
    scheduledAt: iso(c.scheduled_at),
    audienceFixedAt: iso(c.audience_fixed_at),
    sentAt: iso(c.sent_at),
    cancelledAt: iso(c.cancelled_at),
    failedAt: iso(c.failed_at),
    failureReason: c.failure_reason,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
    variants: variants.map((v) => ({
      key: v.key,
      weight: v.weight,
      messages: v.messages,
      email: v.email,
      sendId: v.send_id === null ? null : Number(v.send_id),
    })),
  };
}

/** The variants of several campaigns, in one query, by campaign id. */
async function variantsOf(
  db: Kysely<DB>,
  workspaceId: string,
  ids: number[],
): Promise<Map<number, VariantRow[]>> {
  const out = new Map<number, VariantRow[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('campaign_variant')
    .select(['campaign_id', 'key', 'weight', 'messages', 'email', 'send_id'])
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', 'in', ids)
    .orderBy('key')
    .execute();
  for (const r of rows) out.get(Number(r.campaign_id))?.push(r);
  return out;
}

export async function getCampaign(db: Kysely<DB>, workspaceId: string, id: number): Promise<CampaignView> {
  const c = await db
    .selectFrom('campaign')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!c) throw notFound('campaign');
  return viewOf(c, (await variantsOf(db, workspaceId, [id])).get(id) ?? []);
}

/** Newest first, `limit` at a time (two queries a page); `before` is the last id of the previous page. */
export async function listCampaigns(
  db: Kysely<DB>,
  workspaceId: string,
  page: { limit: number; before?: number | undefined; status?: CampaignStatus | undefined },
): Promise<{ items: CampaignView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('campaign')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  if (page.status !== undefined) query = query.where('status', '=', page.status);
  const rows = await query.execute();
  const variants = await variantsOf(
    db,
    workspaceId,
    rows.map((r) => Number(r.id)),
  );
  const items = rows.map((c) => viewOf(c, variants.get(Number(c.id)) ?? []));
  return { items, nextCursor: rows.length === page.limit ? String(items.at(-1)!.id) : null };
}
