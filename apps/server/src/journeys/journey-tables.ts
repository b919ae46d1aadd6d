// Kysely's view of the journey tables (migrations/0025_journeys.sql).
import type { ColumnType, Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';

export type JourneyStatus = 'draft' | 'live' | 'paused' | 'archived';
export type RunStatus = 'active' | 'exited';
export type ExitReason = 'completed' | 'goal' | 'cancelled' | 'archived' | 'merged' | 'operator';

export interface JourneyTable {
  workspace_id: string;
  id: Id;
  name: string;
  status: Generated<JourneyStatus>;
  live_version: number | null;
  latest_version: Generated<number>;
  trigger_kind: string | null;
  /** The public URL click redirects start with (`<linkBase>/r/<token>`); null: links untracked. */
  link_base: Generated<string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface JourneyVersionTable {
  workspace_id: string;
  journey_id: number;
  version: number;
  definition: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

export interface JourneyRunTable {
  workspace_id: string;
  id: Id;
  journey_id: number;
  version: number;
  customer_id: number;
  run_key: Generated<string>;
  once: Generated<boolean>;
  node_id: string;
  step_count: Generated<number>;
  status: Generated<RunStatus>;
  due_at: Timestamp | null;
  wait_event: string | null;
  wait_since: Timestamp | null;
  wait_until: Timestamp | null;
  entered_at: Timestamp;
  exited_at: Timestamp | null;
  exit_reason: ExitReason | null;
}

export interface JourneyStepTable {
  workspace_id: string;
  run_id: number;
  step_no: number;
  node_id: string;
  node_type: string;
  outcome: string;
  detail: ColumnType<unknown, string | null, string | null>;
  send_id: number | null;
  executed_at: Timestamp;
}

export interface JourneyTriggerCursorTable {
  workspace_id: string;
  cursor: string | null;
  updated_at: Generated<Date>;
}

declare module '../db/schema.ts' {
  interface DB {
    journey: JourneyTable;
    journey_version: JourneyVersionTable;
    journey_run: JourneyRunTable;
    journey_step: JourneyStepTable;
    journey_trigger_cursor: JourneyTriggerCursorTable;
  }
}
