/**
 * Background jobs that keep segment membership current:
 * - `segments-recompute` follows the domain topics and, for the customers the change touched,
 *   re-evaluates the segments of the workspace that the topic can affect (incremental:
 *   `c.id = any($ids)`, all those segments in one statement per part of the customers, the parts
 *   side by side; customer_stats are kept by the writers).
 * - `segments-refresh` re-evaluates, hourly, the segments whose membership the clock alone can
 *   change ("no visit for 180 days", "birthday this month", RFM and CLV conditions).
 * Both publish `segments.changed` when they recorded entries or exits (the LINE rich-menu sync
 * follows it).
 */
import { sql } from 'kysely';
import type { JobDefinition } from '../jobs/jobs.ts';
import { evaluateSegment } from './evaluate-membership.ts';
import { recomputeForCustomers } from './recompute-membership.ts';
import './segment-tables.ts';

/** Connections (of the pool's 10) one recompute may use at once on PostgreSQL. */
export const RECOMPUTE_PARALLEL = 2;

interface TouchedCustomers {
  workspaceId: string;
  customerIds: number[];
  topic?: string;
  types?: unknown;
}

function isTouched(data: unknown): data is TouchedCustomers {
  const d = data as Partial<TouchedCustomers> | null;
  return typeof d?.workspaceId === 'string' && Array.isArray(d.customerIds);
}

export const segmentsRecomputeJob: JobDefinition = {
  name: 'segments-recompute',
  subscribe: ['orders.changed', 'customers.changed', 'events.recorded', 'visits.recorded'],
  run: async (data, { database, logger, publish }) => {
    if (!isTouched(data)) throw new Error('segments-recompute: expected { workspaceId, customerIds }');
    const started = Date.now();
    const phases: Record<string, number> = {};
    const change = await recomputeForCustomers(database.db, data.workspaceId, data.customerIds.map(Number), {
      change: { topic: data.topic, types: data.types },
      // A burst of thousands of customers is split in two transactions run side by side (PGlite
      // has one connection).
      parallel: database.kind === 'postgres' ? RECOMPUTE_PARALLEL : 1,
      onPhase: (phase, ms) => {
        phases[phase] = Math.round(ms);
      },
    });
    logger.debug(
      { ...change, customers: data.customerIds.length, ms: Date.now() - started, phases },
      'segments recomputed',
    );
    if (change.entered + change.exited > 0)
      await publish?.('segments.changed', { workspaceId: data.workspaceId, ...change });
  },
};

/** Re-evaluates the time-based segments of one workspace (all workspaces when none is given). */
export async function refreshTimeBasedSegments(
  db: Parameters<typeof evaluateSegment>[0],
  workspaceId?: string,
  now?: Date,
) {
  const segments = await db
    .selectFrom('segment')
    .select(['workspace_id', 'id'])
    .where('time_based', '=', true)
    .$if(workspaceId !== undefined, (q) => q.where('workspace_id', '=', workspaceId ?? ''))
    .orderBy('workspace_id')
    .orderBy('id')
    .execute();
  let entered = 0;
  let exited = 0;
  const changed = new Map<string, { entered: number; exited: number }>();
  for (const s of segments) {
    const change = await evaluateSegment(db, s.workspace_id, s.id, now ? { now } : {});
    entered += change.entered;
    exited += change.exited;
    if (change.entered + change.exited === 0) continue;
    const sum = changed.get(s.workspace_id) ?? { entered: 0, exited: 0 };
    sum.entered += change.entered;
    sum.exited += change.exited;
    changed.set(s.workspace_id, sum);
  }
  return { segments: segments.length, entered, exited, changed };
}

export const segmentsRefreshJob: JobDefinition = {
  name: 'segments-refresh',
  schedule: '7 * * * *',
  run: async (data, { database, logger, publish }) => {
    const workspaceId = (data as { workspaceId?: string } | null)?.workspaceId;
    const started = Date.now();
    const { changed, ...result } = await refreshTimeBasedSegments(database.db, workspaceId);
    logger.info({ ...result, ms: Date.now() - started }, 'time-based segments refreshed');
    for (const [id, change] of changed) await publish?.('segments.changed', { workspaceId: id, ...change });
  },
};

export const SEGMENT_JOBS: JobDefinition[] = [segmentsRecomputeJob, segmentsRefreshJob];

/** Entry and exit events after `afterId`, oldest first: the outbox journeys consume. */
export async function membershipEvents(
  db: Parameters<typeof evaluateSegment>[0],
  workspaceId: string,
  segmentId: number,
  afterId: number,
  limit: number,
) {
  const { rows } = await sql<{ id: number; customer_id: number; kind: string; occurred_at: Date }>`
    select id, customer_id, kind, occurred_at from segment_membership_event
    where workspace_id = ${workspaceId} and segment_id = ${segmentId} and id > ${afterId}
    order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: Number(r.id),
    customerId: Number(r.customer_id),
    kind: r.kind,
    occurredAt: r.occurred_at.toISOString(),
  }));
}
