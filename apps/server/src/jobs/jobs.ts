import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database.ts';

/** A durable background job: a pg-boss queue, its handler and an optional cron schedule (JST). */
export interface JobDefinition {
  name: string;
  /** Cron expression evaluated in Asia/Tokyo. */
  schedule?: string;
  run(data: unknown, context: { database: Database; logger: Logger }): Promise<void>;
}

export interface Jobs {
  boss: PgBoss;
  /** Enqueues a job; `singletonKey` makes repeated sends of the same work idempotent. */
  send(
    name: string,
    data?: object,
    options?: { singletonKey?: string; startAfter?: Date },
  ): Promise<string | null>;
  /** Stops taking jobs and waits (up to `timeoutMs`) for the running ones to finish. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts pg-boss on Kizuna's database (PGlite or PostgreSQL alike, through Database.bossOptions),
 * creates the queues, and when `work` is set, runs their handlers in this process. Any number of
 * processes may do this against one PostgreSQL: pg-boss hands each job to one of them.
 */
export async function startJobs(
  database: Database,
  definitions: JobDefinition[],
  options: { logger: Logger; work: boolean },
): Promise<Jobs> {
  const boss = new PgBoss({ ...database.bossOptions, schedule: options.work, supervise: options.work });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job system error'));
  await boss.start();
  for (const definition of definitions) {
    await boss.createQueue(definition.name);
    if (definition.schedule && options.work) {
      await boss.schedule(definition.name, definition.schedule, null, { tz: 'Asia/Tokyo' });
    }
    if (options.work) {
      await boss.work(definition.name, async (jobs) => {
        for (const job of jobs) {
          const logger = options.logger.child({ job: definition.name, jobId: job.id });
          logger.debug('job started');
          await definition.run(job.data, { database, logger });
          logger.debug('job done');
        }
      });
    }
  }
  return {
    boss,
    send: (name, data, sendOptions) =>
      boss.send(name, data ?? null, {
        ...(sendOptions?.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
        ...(sendOptions?.startAfter ? { startAfter: sendOptions.startAfter } : {}),
      }),
    stop: (timeoutMs = 30_000) => boss.stop({ graceful: true, timeout: timeoutMs, close: true }),
  };
}
