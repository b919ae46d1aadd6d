// What executing a node needs: the batch's transaction and time, and the run group's journey.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import type { Jobs } from '../jobs/job-types.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { JourneyDefinition } from './definition.ts';
import type { StepLog } from './run-state.ts';

/**
 * What the engine enqueues with, in its transaction: the delivery of sends, and (when given) the
 * domain topics its actions change, so segments follow a journey's tags and attributes at once.
 */
export type JourneyJobs = Pick<Jobs, 'sendInTransaction'> & { publish?: Publish | undefined };

export interface NodeContext {
  tx: Transaction<DB>;
  workspaceId: string;
  now: Date;
  jobs: JourneyJobs | undefined;
  journeyId: number;
  version: number;
  definition: JourneyDefinition;
  /** Opens the workspace's link key; absent: links go untracked (a caller without secrets). */
  secrets: SecretBox | undefined;
  /** The journey's stored public URL for click redirects (null: untracked), read once per batch. */
  linkBase(): Promise<string | null>;
  /** The workspace's first LINE channel, for send nodes that name none (read once per batch). */
  defaultChannel(): Promise<string | null>;
  /**
   * The batch's steps, written with the runs' new state at the end of the batch: each node records
   * its runs' steps with `steps.trace`, and a node with an effect sets what happened to each with
   * `steps.update`.
   */
  steps: StepLog;
}
