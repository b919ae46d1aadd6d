// The journey jobs (declared in capability.ts): every minute, the trigger consumer and then the
// engine for each workspace; once a JST day, the date triggers. Business time is the job
// context's clock, so a simulated clock drives them too.
import type { JobContext, JobDefinition } from '../jobs/job-types.ts';
import { clockOf } from '../shared/clock.ts';
import { advanceJourneys, workspacesWithDueRuns } from './advance.ts';
import { consumeJourneyTriggers, workspacesWithJourneys } from './consume-triggers.ts';
import { enterDateTriggers } from './date-triggers.ts';

export const JOURNEY_TICK_JOB = 'journeys-tick';
export const JOURNEY_DAILY_JOB = 'journeys-daily';
/**
 * Batches the engine has in flight at once on PostgreSQL: while the database works on one batch
 * the process prepares the next (bench/journeys, lateness).
 */
const ENGINE_LANES = 2;

/** Consumes each workspace's events, then advances every due run. */
export async function journeyTick(context: JobContext): Promise<void> {
  const db = context.database.db;
  const now = clockOf(context).now();
  for (const workspaceId of await workspacesWithJourneys(db)) {
    const consumed = await consumeJourneyTriggers(db, workspaceId, { now });
    if (consumed.entered || consumed.exited)
      context.logger.info({ workspaceId, ...consumed }, 'journey triggers consumed');
  }
  const enqueue = context.sendInTransaction
    ? { sendInTransaction: context.sendInTransaction, publish: context.publishInTransaction }
    : undefined;
  for (const workspaceId of await workspacesWithDueRuns(db, now)) {
    const advanced = await advanceJourneys(db, workspaceId, {
      now,
      jobs: enqueue,
      secrets: context.secrets,
      lanes: context.database.kind === 'postgres' ? ENGINE_LANES : 1,
    });
    context.logger.info({ workspaceId, ...advanced }, 'journey runs advanced');
  }
}

export const JOURNEY_JOBS: JobDefinition[] = [
  {
    name: JOURNEY_TICK_JOB,
    schedule: '* * * * *',
    // One tick does all pending work: ticks queued together run once.
    batchSize: 10,
    coalesceKey: () => 'tick',
    run: (_data, context) => journeyTick(context),
    // A worker killed mid-tick leaves that tick's job active until pg-boss expires it, and the
    // cron's next one comes only at the next minute: a starting worker ticks at once, so runs a
    // killed worker left due go on without waiting (an extra tick finds nothing due and ends).
    onWorkerStart: async ({ jobs }) => {
      await jobs.send(JOURNEY_TICK_JOB);
    },
  },
  {
    name: JOURNEY_DAILY_JOB,
    schedule: '10 0 * * *', // 00:10 JST
    run: async (_data, context) => {
      const db = context.database.db;
      const now = clockOf(context).now();
      for (const workspaceId of await workspacesWithJourneys(db)) {
        const entered = await enterDateTriggers(db, workspaceId, now);
        if (entered) context.logger.info({ workspaceId, entered }, 'journey date triggers entered');
      }
    },
  },
];
