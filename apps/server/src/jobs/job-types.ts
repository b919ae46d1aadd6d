// The shapes of the job system: a job definition, what its handler gets, and the running Jobs
// handle. They live apart from `startJobs` so that the batch runner and the queue settings, which
// `startJobs` imports, can use them without importing it back.
import type { Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/open-database.ts';
import type { DB } from '../db/schema.ts';
import type { EmailRuntime } from '../email/smtp-settings.ts';
import type { LineHostAllowance } from '../line/line-hosts.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { DomainTopic, Publish, TopicPayloads } from './domain-topics.ts';
import type { QueueStat } from './queue-stats.ts';

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
  /** The SMTP relay and public URL email delivery uses; absent: email sends wait for it. */
  email?: EmailRuntime;
  /**
   * Enqueues a job inside the caller's transaction (a send's delivery job, committed with the
   * send a journey step creates). Handlers run by the job system have it.
   */
  sendInTransaction?: (tx: Transaction<DB>, name: string, data: object) => Promise<string | null>;
  /** Enqueues a job to start at `startAfter` (a send held for quiet hours, at their end). */
  sendLater?: (name: string, data: object, startAfter: Date) => Promise<void>;
  /** Business time (shared/clock.ts); absent: the wall clock (`clockOf(context)`). */
  clock?: Clock;
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
  /** Domain topics (see DOMAIN_TOPICS) whose publications enqueue this job. */
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
 * What pg-boss does with a failed job: it waits, then tries again, up to `limit` more times. With
 * `backoff` the n-th retry waits between delay × 2^(n−1) and twice that (random, so that jobs
 * failing together do not retry together), at most `maxDelaySeconds`.
 */
export interface RetryPolicy {
  limit: number;
  delaySeconds: number;
  backoff: boolean;
  maxDelaySeconds: number;
}

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
