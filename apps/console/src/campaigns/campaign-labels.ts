// Campaign words shared by the list and the campaign page.
import { TAG_COLORS } from '../journeys/journey-labels.ts';
import type { campaignMessages } from './messages.ts';
import type { Campaign, CampaignStatus } from './queries.ts';

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
  failed: 'statusFailed',
} as const;

export const CAMPAIGN_STATUS_COLORS: Record<CampaignStatus, string> = {
  draft: 'default',
  scheduled: TAG_COLORS.blue,
  sending: TAG_COLORS.blue,
  sent: TAG_COLORS.green,
  cancelled: 'default',
  failed: TAG_COLORS.red,
};

export function campaignStatusLabel(status: CampaignStatus, t: CampaignT): string {
  return t(STATUS_KEYS[status]);
}

/** セグメント「常連」 or a list of N customers. */
export function audienceLabel(
  campaign: Pick<Campaign, 'audience'>,
  segmentNames: ReadonlyMap<number, string>,
  t: CampaignT,
): string {
  const audience = campaign.audience;
  if ('segmentId' in audience)
    return t('audienceSegment', { name: segmentNames.get(audience.segmentId) ?? `#${audience.segmentId}` });
  return t('audienceList', { count: audience.customerCount });
}
