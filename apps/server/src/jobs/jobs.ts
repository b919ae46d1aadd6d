import type { Transaction } from 'kysely';
import { fromKysely, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database.ts';
import type { DB } from '../db/schema.ts';
import type { LineHostAllowance } from '../line/line-hosts.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { handleJobBatch } from './job-batch.ts';
import { summarizeJobError } from './job-error.ts';
import { queueOptions, type RetryPolicy, workOptions } from './queue-setup.ts';
import { monitorQueues, type QueueStat, queueStats } from './queue-stats.ts';

/** What a job handler gets: the database, a logger, and the box that opens stored secrets. */
export interface JobContext {
  database: Database;
  logger: Logger;
  secrets: SecretBox;
  /**
   * Publishes a domain topic after the job's own transaction has committed (handlers run by the
   * job system have it; code that calls a handler's work directly may leave it out). A crash
   * between the commit and this call loses the publication, so subscribers that must not miss one
   * also run on a schedule.
   */
  publish?: <T extends DomainTopic>(topic: T, data: TopicPayloads[T]) => Promise<void>;
  /** Publishes a domain topic inside the handler's own transaction (handlers run by the job system have it). */
  publishInTransaction?: Publish;
  /** Hosts besides LINE's that LINE channels may be pointed at (config.lineHosts); absent: none. */
  lineHosts?: LineHostAllowance;
}

/** One job of a batch handed to `runBatch`. */
export interface QueuedJob {
  id: string;
  data: unknown;
  /** Earlier attempts of this job (0 on the first). */
  retryCount: number;
}

/** The jobs of a batch that failed, by job id, with their errors. The others are complete. */
export type JobFailures = ReadonlyMap<string, unknown>;

/** A durable background job: a pg-boss queue, its handler and an optional cron schedule (JST). */
export interface JobDefinition {
  name: string;
  /** Cron expression evaluated in Asia/Tokyo. */
  schedule?: string;
  /** Domain topics (see TopicPayloads) whose publications enqueue this job; isTopicMessage narrows its data. */
  subscribe?: DomainTopic[];
  run(data: unknown, context: JobContext): Promise<void>;
  /**
   * Handles several jobs of the queue in one go, e.g. one recompute for the union of their
   * customers. Returns the jobs that failed (the others complete); throwing fails them all. It
   * must be safe to repeat: a failed job is retried whole. Without it, `run` runs per job.
   */
  runBatch?(jobs: readonly QueuedJob[], context: JobContext): Promise<JobFailures>;
  /**
   * Jobs fetched and handled at once (default 1). Above 1 the worker also fetches again at once
   * while fetches come back full, and is woken by a new job (LISTEN/NOTIFY) instead of polling
   * every 2 s. Keep 1 for jobs that run for minutes: a batch shares one time limit.
   */
  batchSize?: number;
  /**
   * Batches of this queue one process runs side by side on PostgreSQL (default 1). PGlite has
   * one connection: there the queue always runs one batch at a time.
   */
  concurrency?: number;
  /**
   * With `run` and a batch: jobs whose data give the same key run once, the first one's data
   * standing for all (for handlers that do all pending work of, say, a LINE channel).
   */
  coalesceKey?(data: unknown): string | undefined;
  /** Retries after a failure (default DEFAULT_RETRY in queue-setup.ts). */
  retry?: Partial<RetryPolicy>;
  /** Runs once when a worker process starts, e.g. to resume work a killed worker left behind. */
  onWorkerStart?(context: JobContext & { jobs: Jobs }): Promise<void>;
}

/**
 * Topics published inside the transaction that made the change, so a consumer never misses a
 * committed change and never sees a rolled-back one: topic → payload. Each job's data is the
 * payload plus `topic`, the topic it was published on (TopicMessage).
 */
export interface TopicPayloads {
  /** After orders are created or updated; customerIds: the orders' customers now and before, when an order moved. */
  'orders.changed': { workspaceId: string; orderIds: number[]; customerIds: number[] };
  /**
   * After profile, identity or consent changes, and for customers created or merged while
   * orders, visits or events were written.
   */
  'customers.changed': { workspaceId: string; customerIds: number[] };
  /** After events are stored, with their types. */
  'events.recorded': { workspaceId: string; customerIds: number[]; types: string[] };
  /** After visits are stored. */
  'visits.recorded': { workspaceId: string; customerIds: number[] };
  /**
   * After segment entries or exits were recorded, with their counts (published by the segment
   * jobs once their transaction has committed).
   */
  'segments.changed': { workspaceId: string; entered: number; exited: number };
}
export type DomainTopic = keyof TopicPayloads;

export const DOMAIN_TOPICS = Object.keys({
  'orders.changed': true,
  'customers.changed': true,
  'events.recorded': true,
  'visits.recorded': true,
  'segments.changed': true,
} satisfies Record<DomainTopic, true>) as DomainTopic[];

/** A subscriber's job data: the payload of one of `T`, tagged with its topic (narrow on `topic`). */
export type TopicMessage<T extends DomainTopic = DomainTopic> = {
  [K in T]: TopicPayloads[K] & { topic: K };
}[T];

/**
 * Whether a job's data is a publication on one of `topics` (false for a scheduled run's or a
 * direct send's data). It checks the tag only: the payload was type-checked where it was
 * published.
 *
 * @example
 * if (isTopicMessage(data, ['orders.changed'])) syncOrders(data.orderIds);
 */
export function isTopicMessage<T extends DomainTopic>(
  data: unknown,
  topics: readonly T[],
): data is TopicMessage<T> {
  const topic = (data as { topic?: unknown } | null)?.topic;
  return typeof topic === 'string' && (topics as readonly string[]).includes(topic);
}

/** Publishes a domain topic in the caller's transaction; the payload must be the topic's. */
export type Publish = <T extends DomainTopic>(
  tx: Transaction<DB>,
  topic: T,
  data: TopicPayloads[T],
) => Promise<void>;

export interface Jobs {
  publish: Publish;
  boss: PgBoss;
  /** Enqueues a job; `singletonKey` makes repeated sends of the same work idempotent. */
  send(
    name: string,
    data?: object,
    options?: { singletonKey?: string; startAfter?: Date },
  ): Promise<string | null>;
  /** Enqueues a job inside the caller's transaction: it commits or rolls back with the change. */
  sendInTransaction(tx: Transaction<DB>, name: string, data: object): Promise<string | null>;
  /** Each queue's depth and the age of its oldest ready job, read now. */
  queueStats(): Promise<QueueStat[]>;
  /** Stops taking jobs and waits (up to `timeoutMs`) for the running ones to finish. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartJobsOptions {
  logger: Logger;
  /** Run the handlers in this process (else only send jobs). */
  work: boolean;
  secrets: SecretBox;
  /** How often a worker logs the queues that have work waiting (default 30 s; 0: never). */
  monitorIntervalMs?: number;
  /** Hosts besides LINE's that LINE channels may be pointed at (config.lineHosts); absent: none. */
  lineHosts?: LineHostAllowance;
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
    ...(options.lineHosts ? { lineHosts: options.lineHosts } : {}),
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
