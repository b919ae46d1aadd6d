// What executing a node needs: the batch's transaction and time, and the run group's journey.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import type { JourneyDefinition } from './definition.ts';

export interface NodeContext {
  tx: Transaction<DB>;
  workspaceId: string;
  now: Date;
  jobs: Pick<Jobs, 'sendInTransaction'> | undefined;
  journeyId: number;
  version: number;
  definition: JourneyDefinition;
  /** The workspace's first LINE channel, for send nodes that name none (read once per batch). */
  defaultChannel(): Promise<string | null>;
}
