import type { JobDefinition } from '../jobs/job-types.ts';
import { clockOf } from '../shared/clock.ts';
import { checkSentCampaigns, recordSendFailure } from './campaign-failure.ts';
import { CAMPAIGN_SEND_JOB, dueCampaigns } from './campaign-lifecycle.ts';
import { runCampaignSend } from './send-campaign.ts';

/** The campaign jobs (declared in capability.ts). */
export const CAMPAIGN_JOBS: JobDefinition[] = [
  {
    // Enqueued by "send now" with its campaign, and every minute without data: scheduled
    // campaigns whose time has come, and any campaign a killed worker left sending (a rerun is
    // safe, see send-campaign.ts).
    name: CAMPAIGN_SEND_JOB,
    schedule: '* * * * *',
    run: async (data, context) => {
      const now = clockOf(context).now();
      const target = data as { workspaceId?: string; campaignId?: number } | null;
      const due =
        target?.workspaceId && target.campaignId
          ? [{ workspaceId: target.workspaceId, id: target.campaignId }]
          : await dueCampaigns(context.database.db, now);
      const ctx = {
        db: context.database.db,
        jobs: undefined,
        secrets: context.secrets,
        now,
        // The epoch: due at once, whatever instant a simulated business clock says it is.
        deliverLater: async (workspaceId: string, sendId: number, job: string) =>
          context.sendLater?.(job, { workspaceId, sendId }, new Date(0)),
      };
      for (const c of due) {
        try {
          const sent = await runCampaignSend(ctx, c.workspaceId, c.id);
          context.logger.info({ campaignId: c.id, sent }, 'campaign send job finished');
        } catch (error) {
          // One campaign's failure (its channel deleted, the database) must not hold up the
          // others due this minute. A domain error, or the fifth failure in a row, fails the
          // campaign with the reason; else it stays `sending` and the next minute retries it.
          const outcome = await recordSendFailure(context.database.db, c.workspaceId, c.id, error, now);
          context.logger.error({ err: error, campaignId: c.id, outcome }, 'campaign send failed');
          if (target?.campaignId && outcome === 'retrying') throw error;
        }
      }
      // Sent campaigns whose delivery has ended: failed if the channel refused every message.
      for (const f of await checkSentCampaigns(context.database.db, clockOf(context).now()))
        context.logger.warn(
          { workspaceId: f.workspaceId, campaignId: f.id },
          'campaign failed: every message refused',
        );
    },
  },
];
