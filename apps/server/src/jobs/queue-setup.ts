// pg-boss settings for a job definition's queue and worker.
//
// pg-boss 12's worker (node_modules/pg-boss/dist/worker.js) fetches, runs the handler, then
// waits out the polling interval (2 s by default) before it fetches again; only when a fetch came
// back with a full batch and `burstWhenBatchFull` is set does it fetch again at once. At one job
// per fetch that is one job every 2 s, whatever the backlog. A batched queue therefore takes
// `batchSize` jobs per fetch with burst on, so it never idles while a full batch is waiting, and
// opts into NOTIFY (`notify` on the queue, `useListenNotify` on the worker), so a job sent while
// it waits wakes it at once: the insert carries a pg_notify that the database delivers on commit,
// and PGlite delivers it in-process. The 2 s poll stays as the backstop (retries whose backoff
// has run out and jobs sent for later announce nothing).
import type { Queue, WorkOptions } from 'pg-boss';
import type { DatabaseKind } from '../db/open-database.ts';
import type { JobDefinition, RetryPolicy } from './job-types.ts';

/** 5 retries over 2½ to 5 minutes (after 5–10 s, 10–20 s, 20–40 s, 40–80 s, 80–160 s). */
export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 5, backoff: true, maxDelaySeconds: 300 };

/** Seconds between fetches of an idle queue, or, on a batched queue, between NOTIFY backstop polls. */
export const POLL_SECONDS = 2;

export function batchSizeOf(definition: JobDefinition): number {
  return Math.max(1, definition.batchSize ?? 1);
}

/** Queue options: the retry policy, and NOTIFY for batched queues. */
export function queueOptions(definition: JobDefinition): Omit<Queue, 'name'> {
  const retry = { ...DEFAULT_RETRY, ...definition.retry };
  return {
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    // pg-boss refuses a maximum delay without backoff.
    ...(retry.backoff ? { retryDelayMax: retry.maxDelaySeconds } : {}),
    notify: batchSizeOf(definition) > 1,
  };
}

/** Worker options: one outcome per job (so one failure does not fail the batch), and bursts. */
export function workOptions(definition: JobDefinition, kind: DatabaseKind) {
  const batchSize = batchSizeOf(definition);
  return {
    batchSize,
    // Side by side, batches would only queue for PGlite's one connection.
    localConcurrency: kind === 'postgres' ? Math.max(1, definition.concurrency ?? 1) : 1,
    includeMetadata: true,
    perJobResults: true,
    pollingIntervalSeconds: POLL_SECONDS,
    ...(batchSize > 1 ? { burstWhenBatchFull: true, notifyPollingIntervalSeconds: POLL_SECONDS } : {}),
  } as const satisfies WorkOptions;
}
