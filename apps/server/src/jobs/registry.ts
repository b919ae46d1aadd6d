import { CAPABILITIES } from '../capabilities/index.ts';
import type { JobDefinition } from './job-types.ts';

/** Loads the jobs of the given capabilities, in their order. */
export async function loadJobs(capabilities = CAPABILITIES): Promise<JobDefinition[]> {
  const lists = await Promise.all(capabilities.map(async (c) => (c.jobs ? await c.jobs() : [])));
  return lists.flat();
}

/** Every job Kizuna runs: each capability's, as its descriptor declares them. */
export const JOBS: JobDefinition[] = await loadJobs();
