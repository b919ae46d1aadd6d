// A campaign's status: draft → scheduled → sending → sent, or cancelled before it sends, or
// failed (campaign-failure.ts).
// "Send now" and "schedule" only move the status (and enqueue the send job in the same
// transaction); the send itself is send-campaign.ts, run by the job, and safe to run again.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError, invalid } from '../shared/domain-error.ts';
import type { CampaignStatus } from './campaign-tables.ts';
import { type CampaignView, getCampaign } from './campaign-view.ts';

export const CAMPAIGN_SEND_JOB = 'campaign-send';

function invalidTransition(from: CampaignStatus, action: string): DomainError {
  return new DomainError('conflict', `a ${from} campaign cannot be ${action}`, [], {
    reason: 'invalid_transition',
  });
}

async function lockStatus(tx: Kysely<DB>, workspaceId: string, id: number): Promise<CampaignStatus> {
  const row = await tx
    .selectFrom('campaign')
    .select('status')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new DomainError('not_found', 'campaign not found');
  return row.status;
}

/** Schedules (or reschedules) a draft for `at`, which must be later than now. */
export async function scheduleCampaign(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  at: Date,
  now: Date,
): Promise<CampaignView> {
  if (at <= now) throw invalid([{ path: 'at', message: `${at.toISOString()} is not in the future` }]);
  await transact(db, async (tx) => {
    const status = await lockStatus(tx, workspaceId, id);
    if (status !== 'draft' && status !== 'scheduled') throw invalidTransition(status, 'scheduled');
    await tx
      .updateTable('campaign')
      .set({ status: 'scheduled', scheduled_at: at, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  });
  return getCampaign(db, workspaceId, id);
}

/**
 * Starts sending now. Repeating it on a campaign that is sending or sent changes nothing (the
 * campaign sends once); a cancelled campaign is a conflict.
 */
export async function sendCampaignNow(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  id: number,
  now: Date,
): Promise<CampaignView> {
  await transact(db, async (tx) => {
    const status = await lockStatus(tx, workspaceId, id);
    if (status === 'sending' || status === 'sent') return;
    // A failed campaign stays failed (its reason is the record); the shop makes a new one.
    if (status === 'cancelled' || status === 'failed') throw invalidTransition(status, 'sent');
    await tx
      .updateTable('campaign')
      .set({ status: 'sending', scheduled_at: now, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
    if (jobs) await jobs.sendInTransaction(tx, CAMPAIGN_SEND_JOB, { workspaceId, campaignId: id });
  });
  return getCampaign(db, workspaceId, id);
}

/** Cancels a draft or scheduled campaign (again: no change); one that has started is a conflict. */
export async function cancelCampaign(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  now: Date,
): Promise<CampaignView> {
  await transact(db, async (tx) => {
    const status = await lockStatus(tx, workspaceId, id);
    if (status === 'cancelled') return;
    if (status !== 'draft' && status !== 'scheduled') throw invalidTransition(status, 'cancelled');
    await tx
      .updateTable('campaign')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  });
  return getCampaign(db, workspaceId, id);
}

/**
 * Moves scheduled campaigns whose time has come to sending and returns every campaign that is
 * sending (including ones a killed worker left half done), across workspaces: the worker serves
 * them all, each result names its own.
 */
export async function dueCampaigns(
  db: Kysely<DB>,
  now: Date,
): Promise<{ workspaceId: string; id: number }[]> {
  await db
    .updateTable('campaign')
    .set({ status: 'sending', updated_at: now })
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '<=', now)
    .execute();
  const rows = await db
    .selectFrom('campaign')
    .select(['workspace_id', 'id'])
    .where('status', '=', 'sending')
    .orderBy('scheduled_at')
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, id: Number(r.id) }));
}
