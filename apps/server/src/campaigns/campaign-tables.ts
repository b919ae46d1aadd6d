// Kysely's view of the campaign tables in migrations/0026_campaigns.sql, added to DB by module augmentation.
import type { ColumnType, Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';
import type { EmailSource } from '../email/email-source.ts';

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled' | 'failed';

export type RecipientDecision = 'holdout' | 'send' | 'render_failed';

export interface CampaignTable {
  workspace_id: string;
  id: Id;
  name: string;
  /** `line` (LINE channel id in channel_id) or `email` (the workspace's email sender id). */
  channel: Generated<'line' | 'email'>;
  channel_id: string;
  segment_id: number | null;
  customer_ids: number[] | null;
  /** numeric(5,2): read as a string. */
  holdout_percent: ColumnType<string, number | undefined, number>;
  attribution_days: Generated<number>;
  quiet_hours: Generated<'hold' | 'skip'>;
  coupon_template_id: number | null;
  track_clicks: Generated<boolean>;
  status: Generated<CampaignStatus>;
  scheduled_at: Date | null;
  link_base: string;
  audience_fixed_at: Date | null;
  sent_at: Date | null;
  cancelled_at: Date | null;
  /** Migration 0032: a failed campaign's instant and reason, the send's failures in a row, and the delivery check. */
  failed_at: Date | null;
  failure_reason: string | null;
  send_failures: Generated<number>;
  delivery_checked_at: Date | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CampaignVariantTable {
  workspace_id: string;
  campaign_id: number;
  key: string;
  weight: number;
  /** LINE messages ([] for an email variant). */
  messages: ColumnType<unknown[], string, string>;
  /** An email variant's source: { templateId } or { subject, mjml } (null for LINE). */
  email: ColumnType<EmailSource | null, string | null | undefined, string | null>;
  send_id: number | null;
}

export interface CampaignRecipientTable {
  workspace_id: string;
  campaign_id: number;
  customer_id: number;
  bucket: number;
  variant_key: string | null;
  decision: RecipientDecision;
  detail: string | null;
}

export interface LinePlanTable {
  workspace_id: string;
  plan: 'communication' | 'light' | 'standard' | 'custom';
  monthly_fee_yen: number;
  free_messages: number;
  /** numeric: read as a string; null when the plan has no additional messages. */
  additional_message_yen: ColumnType<string | null, number | null, number | null>;
  updated_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    campaign: CampaignTable;
    campaign_variant: CampaignVariantTable;
    campaign_recipient: CampaignRecipientTable;
    line_plan: LinePlanTable;
  }
}
