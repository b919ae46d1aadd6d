/**
 * Analytics jobs:
 * - customer_stats are kept current for the customers a change touched by `segments-recompute`
 *   (segments/recompute-membership.ts), which reads them right after recomputing them.
 * - `analytics-refresh` (hourly, JST) rebuilds stats, RFM scores and the dashboard views.
 * - `clv-refit` (nightly 03:30 JST, or on demand with `{ workspaceId }`) refits the CLV model,
 *   stores the predictions, then re-evaluates the segments that read predictions or RFM.
 */
import { sql } from 'kysely';
import type { Database } from '../db/open-database.ts';
import type { JobDefinition } from '../jobs/job-types.ts';
import { refreshTimeBasedSegments } from '../segments/segment-jobs.ts';
import { clockOf } from '../shared/clock.ts';
import { refreshAnalytics } from './analytics-views.ts';
import { refitClv } from './refit-clv.ts';

/** The workspaces to work on: the one named in the job data, else every one with customers. */
async function workspacesOf(database: Database, data: unknown): Promise<string[]> {
  const named = (data as { workspaceId?: unknown } | null)?.workspaceId;
  if (typeof named === 'string') return [named];
  const { rows } = await sql<{ id: string }>`select w.id from workspace w
    where exists (select 1 from customer c where c.workspace_id = w.id) order by w.id`.execute(database.db);
  return rows.map((r) => r.id);
}

export const analyticsRefreshJob: JobDefinition = {
  name: 'analytics-refresh',
  schedule: '15 * * * *',
  run: async (data, { database, logger }) => {
    for (const workspaceId of await workspacesOf(database, data)) {
      const timings = await refreshAnalytics(database.db, workspaceId);
      logger.info({ workspaceId, timings }, 'analytics refreshed');
    }
  },
};

export const clvRefitJob: JobDefinition = {
  name: 'clv-refit',
  schedule: '30 3 * * *',
  run: async (data, context) => {
    const { database, logger, publish } = context;
    for (const workspaceId of await workspacesOf(database, data)) {
      const now = clockOf(context).now();
      const result = await refitClv(database.db, workspaceId, now);
      // New predictions move customers in and out of CLV segments (VIP, at risk).
      const { changed, ...segments } = await refreshTimeBasedSegments(database.db, workspaceId, now);
      for (const [id, change] of changed) await publish?.('segments.changed', { workspaceId: id, ...change });
      logger.info(
        {
          workspaceId,
          model: result.model,
          fallback: result.fallbackReason,
          timings: result.timings,
          segments,
        },
        'CLV refitted',
      );
    }
  },
};

export const ANALYTICS_JOBS: JobDefinition[] = [analyticsRefreshJob, clvRefitJob];
