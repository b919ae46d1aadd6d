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
import type { TopicPayloads } from '../jobs/domain-topics.ts';
import type { JobContext, JobDefinition, QueuedJob } from '../jobs/job-types.ts';
import { evaluateSegment } from './evaluate-membership.ts';
import { recomputeForCustomers } from './recompute-membership.ts';
import './segment-tables.ts';
import { clockOf } from '../shared/clock.ts';

/** Connections (of the pool's 10) one recompute may use at once on PostgreSQL. */
export const RECOMPUTE_PARALLEL = 2;

/**
 * What the job needs of a publication on one of its topics (their common fields; `types` from
 * events.recorded). Checked at run time, since a job's data is JSON that an older version or a
 * direct send may have written.
 */
type TouchedCustomers = Pick<TopicPayloads['customers.changed'], 'workspaceId' | 'customerIds'> & {
  topic?: string;
  types?: unknown;
};

function isTouched(data: unknown): data is TouchedCustomers {
  const d = data as Partial<TouchedCustomers> | null;
  return typeof d?.workspaceId === 'string' && Array.isArray(d.customerIds);
}

/** The most customers one coalesced recompute takes; more jobs make another recompute. */
export const COALESCED_CUSTOMERS = 5_000;

/** Jobs recomputed together: one workspace, one topic, the union of their customers. */
interface RecomputeGroup {
  workspaceId: string;
  topic: string | undefined;
  /** events.recorded: the union of the stored types, or undefined when a job did not say. */
  types: Set<unknown> | undefined;
  jobs: QueuedJob[];
  customerIds: Set<number>;
}

/**
 * Groups a batch's jobs by workspace and topic, so each group is one recompute: the union of the
 * customers, for the segments its topic can affect (events: the union of the event types). A
 * segment recomputed for a customer no change touched keeps that customer's membership as it is,
 * so the union gives each customer what its own job would have.
 */
function groupJobs(jobs: readonly QueuedJob[], failures: Map<string, unknown>): RecomputeGroup[] {
  const open = new Map<string, RecomputeGroup>();
  const groups: RecomputeGroup[] = [];
  for (const job of jobs) {
    if (!isTouched(job.data)) {
      failures.set(job.id, new Error('segments-recompute: expected { workspaceId, customerIds }'));
      continue;
    }
    const { workspaceId, topic, types, customerIds } = job.data;
    const key = `${workspaceId} ${topic}`;
    let group = open.get(key);
    if (!group || group.customerIds.size + customerIds.length > COALESCED_CUSTOMERS) {
      group = { workspaceId, topic, types: new Set(), jobs: [], customerIds: new Set() };
      open.set(key, group);
      groups.push(group);
    }
    group.jobs.push(job);
    for (const id of customerIds) group.customerIds.add(Number(id));
    if (!Array.isArray(types)) group.types = undefined;
    else for (const type of types) group.types?.add(type);
  }
  return groups;
}

async function recomputeGroup(group: RecomputeGroup, context: JobContext) {
  const { database, logger } = context;
  const started = Date.now();
  const phases: Record<string, number> = {};
  const change = await recomputeForCustomers(database.db, group.workspaceId, [...group.customerIds], {
    change: { topic: group.topic, types: group.types ? [...group.types] : undefined },
    now: clockOf(context).now(),
    // A burst of thousands of customers is split in two transactions run side by side (PGlite
    // has one connection).
    parallel: database.kind === 'postgres' ? RECOMPUTE_PARALLEL : 1,
    onPhase: (phase, ms) => {
      phases[phase] = Math.round(ms);
    },
  });
  logger.debug(
    {
      ...change,
      workspaceId: group.workspaceId,
      topic: group.topic,
      jobs: group.jobs.length,
      customers: group.customerIds.size,
      ms: Date.now() - started,
      phases,
    },
    'segments recomputed',
  );
  return change;
}

/**
 * `segments-recompute` for a batch of jobs: one recompute per group (groupJobs). When a group's
 * recompute fails, its jobs are recomputed one by one, so that only the job that fails alone is
 * failed (and retried); the recompute is idempotent, so what committed before stays right.
 * `segments.changed` is published once per workspace for the batch.
 */
export async function recomputeBatch(jobs: readonly QueuedJob[], context: JobContext) {
  const failures = new Map<string, unknown>();
  const changed = new Map<string, { entered: number; exited: number }>();
  const add = (workspaceId: string, change: { entered: number; exited: number }) => {
    const sum = changed.get(workspaceId) ?? { entered: 0, exited: 0 };
    sum.entered += change.entered;
    sum.exited += change.exited;
    changed.set(workspaceId, sum);
  };
  for (const group of groupJobs(jobs, failures)) {
    try {
      add(group.workspaceId, await recomputeGroup(group, context));
    } catch (error) {
      if (group.jobs.length === 1) failures.set(group.jobs[0]!.id, error);
      else
        for (const job of group.jobs) {
          const alone = groupJobs([job], failures)[0]!;
          await recomputeGroup(alone, context).then(
            (change) => add(group.workspaceId, change),
            (e: unknown) => failures.set(job.id, e),
          );
        }
    }
  }
  for (const [workspaceId, change] of changed)
    if (change.entered + change.exited > 0)
      await context.publish?.('segments.changed', { workspaceId, ...change });
  return failures;
}

export const segmentsRecomputeJob: JobDefinition = {
  name: 'segments-recompute',
  subscribe: ['orders.changed', 'customers.changed', 'events.recorded', 'visits.recorded'],
  batchSize: 100,
  run: async (data, context) => {
    const failures = await recomputeBatch([{ id: 'direct', data, retryCount: 0 }], context);
    if (failures.size) throw failures.get('direct');
  },
  runBatch: recomputeBatch,
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
  run: async (data, context) => {
    const { database, logger, publish } = context;
    const workspaceId = (data as { workspaceId?: string } | null)?.workspaceId;
    const started = Date.now();
    const { changed, ...result } = await refreshTimeBasedSegments(
      database.db,
      workspaceId,
      clockOf(context).now(),
    );
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
