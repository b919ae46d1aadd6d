import { fromKysely, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database.ts';
import type { EmailRuntime } from '../email/smtp-settings.ts';
import type { LineHostAllowance } from '../line/line-hosts.ts';
import { systemClock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { DomainTopic, Publish, TopicPayloads } from './domain-topics.ts';
import { handleJobBatch } from './job-batch.ts';
import { summarizeJobError } from './job-error.ts';
import type { JobContext, JobDefinition, Jobs } from './job-types.ts';
import { queueOptions, workOptions } from './queue-setup.ts';
import { monitorQueues, queueStats } from './queue-stats.ts';
import type { SimulatedTime } from './simulated-time.ts';

export interface StartJobsOptions {
  logger: Logger;
  /** Run the handlers in this process (else only send jobs). */
  work: boolean;
  secrets: SecretBox;
  /** How often a worker logs the queues that have work waiting (default 30 s; 0: never). */
  monitorIntervalMs?: number;
  /** Hosts besides LINE's that LINE channels may be pointed at (config.lineHosts); absent: none. */
  lineHosts?: LineHostAllowance;
  /**
   * Simulated time (KIZUNA_CLOCK=simulated, tests): pg-boss runs on its clock and handlers read
   * business time from it. Absent: the wall clock.
   */
  simulatedTime?: SimulatedTime;
  /** The SMTP relay and public URL email delivery uses (config.smtp, config.publicUrl). */
  email?: EmailRuntime;
}

/**
 * Starts pg-boss on Kizuna's database (PGlite or PostgreSQL alike, through Database.bossOptions),
 * creates the queues, and when `work` is set, runs their handlers in this process. Any number of
 * processes may do this against one PostgreSQL: pg-boss hands each job to one of them.
 */
export async function startJobs(
  database: Database,
  definitions: JobDefinition[],
  options: StartJobsOptions,
): Promise<Jobs> {
  const boss = new PgBoss({
    ...database.bossOptions,
    schedule: options.work,
    supervise: options.work,
    // Wakes the batched queues' workers when a job is sent (see queue-setup.ts).
    useListenNotify: options.work,
    ...(options.simulatedTime ? { clock: options.simulatedTime.bossClock } : {}),
  });
  boss.on('error', (error) =>
    options.logger.error(
      { queue: (error as { queue?: unknown }).queue, err: summarizeJobError(error) },
      'job system error',
    ),
  );
  boss.on('warning', (warning) => options.logger.warn({ warning }, 'job system warning'));
  await boss.start();
  // Topic → queues, kept here rather than in pg-boss's subscription table: boss.publish() reads
  // that table through its own connection, which on the single-connection PGlite would wait
  // forever for the very transaction that is publishing.
  const subscribers = new Map<DomainTopic, string[]>();
  const publishNow = async <T extends DomainTopic>(topic: T, data: TopicPayloads[T]) => {
    for (const queue of subscribers.get(topic) ?? []) await boss.send(queue, { ...data, topic });
  };
  // The job rows are inserted through the transaction's own connection (pg-boss's Kysely
  // adapter), so they commit or roll back with the change itself.
  const publishInTransaction: Publish = async (tx, topic, data) => {
    for (const queue of subscribers.get(topic) ?? [])
      await boss.send(queue, { ...data, topic }, { db: fromKysely(tx) });
  };
  const context = (logger: Logger): JobContext => ({
    database,
    logger,
    secrets: options.secrets,
    publish: publishNow,
    publishInTransaction,
    sendInTransaction: (tx, name, data) => boss.send(name, data, { db: fromKysely(tx) }),
    sendLater: async (name, data, startAfter) => {
      await boss.send(name, data, { startAfter });
    },
    ...(options.lineHosts ? { lineHosts: options.lineHosts } : {}),
    clock: options.simulatedTime?.clock ?? systemClock,
    ...(options.email ? { email: options.email } : {}),
  });
  for (const definition of definitions) {
    // createQueue leaves an existing queue as it is; the update brings one made by an older
    // version to the current retry policy and NOTIFY setting.
    await boss.createQueue(definition.name, queueOptions(definition));
    await boss.updateQueue(definition.name, queueOptions(definition));
    for (const topic of definition.subscribe ?? [])
      subscribers.set(topic, [...(subscribers.get(topic) ?? []), definition.name]);
    if (definition.schedule && options.work) {
      await boss.schedule(definition.name, definition.schedule, null, { tz: 'Asia/Tokyo' });
    }
    if (options.work) {
      const batchContext = context(options.logger.child({ job: definition.name }));
      await boss.work(definition.name, workOptions(definition, database.kind), (jobs) =>
        handleJobBatch(definition, jobs, batchContext),
      );
    }
  }
  const names = definitions.map((d) => d.name);
  const readStats = () => queueStats(database.db, database.bossOptions.schema ?? 'pgboss', names);
  const monitorMs = options.monitorIntervalMs ?? 30_000;
  const stopMonitor =
    options.work && monitorMs > 0 ? monitorQueues(readStats, options.logger, monitorMs) : async () => {};
  const jobs: Jobs = {
    boss,
    publish: publishInTransaction,
    send: (name, data, sendOptions) =>
      boss.send(name, data ?? null, {
        ...(sendOptions?.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
        ...(sendOptions?.startAfter ? { startAfter: sendOptions.startAfter } : {}),
      }),
    sendInTransaction: (tx, name, data) => boss.send(name, data, { db: fromKysely(tx) }),
    queueStats: readStats,
    stop: async (timeoutMs = 30_000) => {
      await stopMonitor();
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
  if (options.work) {
    for (const definition of definitions) {
      const logger = options.logger.child({ job: definition.name });
      await definition.onWorkerStart?.({ ...context(logger), jobs });
    }
  }
  return jobs;
}
