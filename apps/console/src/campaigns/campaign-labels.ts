// Campaign words shared by the list and the campaign page.
import type { campaignMessages } from './messages.ts';
import type { CampaignStatus } from './queries.ts';

export type CampaignT = (
  key: keyof (typeof campaignMessages)['ja'],
  vars?: Readonly<Record<string, string | number>>,
) => string;

const STATUS_KEYS = {
  draft: 'statusDraft',
  scheduled: 'statusScheduled',
  sending: 'statusSending',
  sent: 'statusSent',
  cancelled: 'statusCancelled',
} as const;

export const CAMPAIGN_STATUS_COLORS: Record<CampaignStatus, string> = {
  draft: 'default',
  scheduled: 'blue',
  sending: 'processing',
  sent: 'green',
  cancelled: 'default',
};

export function campaignStatusLabel(status: CampaignStatus, t: CampaignT): string {
  return t(STATUS_KEYS[status]);
}
