// Kysely's view of the LIFF tables in migrations/0036_liff.sql and
// 0038_liff_account_link.sql, added to DB by module augmentation.
import type { ColumnType, Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';

export interface LiffAppTable {
  workspace_id: string;
  channel_id: string;
  liff_id: string;
  login_channel_id: string;
  login_channel_secret_sealed: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LiffMemberSessionTable {
  workspace_id: string;
  token_hash: string;
  customer_id: number;
  channel_id: string;
  line_user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface LiffSurveyTable {
  workspace_id: string;
  questions: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

export interface LiffSurveyResponseTable {
  workspace_id: string;
  customer_id: number;
  answered_at: Timestamp;
}

export interface LiffLinkAttemptTable {
  workspace_id: string;
  id: Id;
  line_user_id: string;
  member_no_key: string;
  attempted_at: Timestamp;
  succeeded: boolean;
}

declare module '../db/schema.ts' {
  interface DB {
    liff_app: LiffAppTable;
    liff_member_session: LiffMemberSessionTable;
    liff_survey: LiffSurveyTable;
    liff_survey_response: LiffSurveyResponseTable;
    liff_link_attempt: LiffLinkAttemptTable;
  }
}
