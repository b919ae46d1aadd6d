// Kysely types of the segment tables (migrations/0004_segments.sql, 0007_membership_log.sql).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SegmentTable {
  workspace_id: string;
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  definition: ColumnType<unknown, string, string>;
  template: string | null;
  time_based: Generated<boolean>;
  member_count: Generated<number>;
  evaluated_at: Date | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SegmentMemberTable {
  workspace_id: string;
  segment_id: number;
  customer_id: number;
  entered_at: Timestamp;
}

/** A view: every spell, open (a current member) or closed (an exit event). Read only. */
export interface SegmentMembershipView {
  workspace_id: ColumnType<string, never, never>;
  segment_id: ColumnType<number, never, never>;
  customer_id: ColumnType<number, never, never>;
  entered_at: ColumnType<Date, never, never>;
  exited_at: ColumnType<Date | null, never, never>;
}

export interface SegmentMembershipEventTable {
  workspace_id: string;
  id: Generated<number>;
  segment_id: number;
  customer_id: number;
  kind: 'entered' | 'exited';
  occurred_at: Timestamp;
  /** Exits: when the spell they close began. */
  entered_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    segment: SegmentTable;
    segment_member: SegmentMemberTable;
    segment_membership: SegmentMembershipView;
    segment_membership_event: SegmentMembershipEventTable;
  }
}
