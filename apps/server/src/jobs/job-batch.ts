// One fetch of a queue's jobs, handled: the definition's batch handler (coalescing) or its
// per-job handler for each job, then one outcome per job for pg-boss to settle. A job that fails
// is logged (queue, job id, attempt, error) and failed alone: pg-boss retries it after its
// queue's backoff while the jobs fetched with it, and those behind it, complete.
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { summarizeJobError } from './job-error.ts';
import type { JobContext, JobDefinition, JobFailures, QueuedJob } from './job-types.ts';

/** Runs one fetched batch of `definition`'s queue and returns each job's outcome. */
export async function handleJobBatch(
  definition: JobDefinition,
  jobs: readonly JobWithMetadata<unknown>[],
  context: JobContext,
): Promise<JobResult[]> {
  const queued: QueuedJob[] = jobs.map((job) => ({ id: job.id, data: job.data, retryCount: job.retryCount }));
  let failures: JobFailures;
  try {
    failures = definition.runBatch
      ? await definition.runBatch(queued, context)
      : await runEach(definition, queued, context);
  } catch (error) {
    // A batch handler that throws has not said which jobs it finished: all of them are retried
    // (the handlers are idempotent, so what did commit is found done the next time).
    failures = new Map(queued.map((job) => [job.id, error]));
  }
  return jobs.map((job) => {
    if (!failures.has(job.id)) return { id: job.id, status: 'completed' };
    const error = summarizeJobError(failures.get(job.id));
    logFailure(context.logger, definition.name, job, error);
    return { id: job.id, status: 'failed', output: error };
  });
}

function logFailure(
  logger: Logger,
  queue: string,
  job: JobWithMetadata<unknown>,
  err: ReturnType<typeof summarizeJobError>,
) {
  const retrying = job.retryCount < job.retryLimit;
  logger.error(
    { queue, jobId: job.id, attempt: job.retryCount + 1, attempts: job.retryLimit + 1, retrying, err },
    retrying ? 'job failed; it will be retried after a backoff' : 'job failed; no retries left',
  );
}

/**
 * The per-job handler for each job of the batch, one after the other. Jobs with the same
 * `coalesceKey` run once (with the first one's data), and that run's outcome is each of theirs.
 */
async function runEach(
  definition: JobDefinition,
  jobs: readonly QueuedJob[],
  context: JobContext,
): Promise<JobFailures> {
  const groups = new Map<string, QueuedJob[]>();
  for (const job of jobs) {
    const key = definition.coalesceKey?.(job.data) ?? `job:${job.id}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  const failures = new Map<string, unknown>();
  for (const group of groups.values()) {
    const first = group[0]!;
    const logger = context.logger.child({
      jobId: first.id,
      ...(group.length > 1 ? { coalesced: group.length } : {}),
    });
    try {
      logger.debug('job started');
      await definition.run(first.data, { ...context, logger });
      logger.debug('job done');
    } catch (error) {
      for (const job of group) failures.set(job.id, error);
    }
  }
  return failures;
}
