// How far behind the job queues are: per queue, the jobs waiting (ready now, and retrying after a
// failure), running, failed for good, and the age of the oldest job ready to run. Read live from
// pg-boss's job table (its own queue statistics are refreshed by a monitor pass, once a minute),
// for `/health/detail` and for the worker's periodic log line.
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';

export interface QueueStat {
  name: string;
  /** Jobs that may run now (created or retrying, their start time reached). */
  ready: number;
  /** Jobs waiting for their start time: a retry's backoff or a job sent for later. */
  deferred: number;
  /** Of ready and deferred, jobs that failed before and wait for another attempt. */
  retrying: number;
  active: number;
  /** Jobs that failed on their last attempt, kept for pg-boss's retention period. */
  failed: number;
  /** When the oldest ready job was created, ISO 8601 (null when none is ready). */
  oldestReadyAt: string | null;
  /** Its age in seconds at the time of the query: how stale that queue's work is. */
  oldestReadySeconds: number | null;
}

/**
 * The queues' depth and age. The states read (created, retry, active, failed) are the ones
 * pg-boss's partial index job_i14 covers, so finished jobs are not scanned.
 */
export async function queueStats(
  db: Kysely<DB>,
  bossSchema: string,
  names: readonly string[],
): Promise<QueueStat[]> {
  const { rows } = await sql<{
    name: string;
    ready: number;
    deferred: number;
    retrying: number;
    active: number;
    failed: number;
    oldest: Date | null;
    age: number | null;
  }>`select name,
      count(*) filter (where state in ('created', 'retry') and start_after <= now())::int as ready,
      count(*) filter (where state in ('created', 'retry') and start_after > now())::int as deferred,
      count(*) filter (where state = 'retry')::int as retrying,
      count(*) filter (where state = 'active')::int as active,
      count(*) filter (where state = 'failed')::int as failed,
      min(created_on) filter (where state in ('created', 'retry') and start_after <= now()) as oldest,
      extract(epoch from now() - min(created_on) filter (where state in ('created', 'retry')
        and start_after <= now()))::float8 as age
    from ${sql.table(`${bossSchema}.job`)}
    where name = any(${[...names]}::text[]) and state in ('created', 'retry', 'active', 'failed')
    group by name`.execute(db);
  const byName = new Map(rows.map((r) => [r.name, r]));
  return names.map((name) => {
    const r = byName.get(name);
    return {
      name,
      ready: r?.ready ?? 0,
      deferred: r?.deferred ?? 0,
      retrying: r?.retrying ?? 0,
      active: r?.active ?? 0,
      failed: r?.failed ?? 0,
      oldestReadyAt: r?.oldest?.toISOString() ?? null,
      oldestReadySeconds: r?.age === null || r?.age === undefined ? null : Math.round(r.age * 10) / 10,
    };
  });
}

/** A queue whose oldest ready job is older than this is reported as a warning. */
export const QUEUE_LAG_WARNING_SECONDS = 60;

/**
 * Logs the queues with work waiting every `intervalMs` (at warn level when one lags more than
 * QUEUE_LAG_WARNING_SECONDS), and nothing while they are all empty. Returns the function that
 * stops it.
 */
export function monitorQueues(
  read: () => Promise<QueueStat[]>,
  logger: Logger,
  intervalMs: number,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      const busy = (await read()).filter((q) => q.ready + q.deferred + q.active > 0);
      if (busy.length === 0) return;
      const queues = Object.fromEntries(
        busy.map((q) => [
          q.name,
          {
            ready: q.ready,
            deferred: q.deferred,
            retrying: q.retrying,
            active: q.active,
            oldestReadySeconds: q.oldestReadySeconds,
          },
        ]),
      );
      const lagging = busy.some((q) => (q.oldestReadySeconds ?? 0) > QUEUE_LAG_WARNING_SECONDS);
      if (lagging) logger.warn({ queues }, 'job queues are behind');
      else logger.info({ queues }, 'job queues');
    } catch (error) {
      logger.error({ err: error }, 'could not read the job queues');
    }
  };
  const timer = setInterval(() => {
    // One reading at a time: a slow database must not pile them up.
    running ??= tick().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
