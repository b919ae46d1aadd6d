// Kysely's view of the tables added by migrations/0009_auth_hardening.sql, added to DB by module
// augmentation (the columns it added to user_session and workspace_member are in workspace-tables.ts).
import type { ColumnType, Generated } from 'kysely';
import type { Role } from './workspace-tables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface MemberInvitationTable {
  workspace_id: string;
  id: Generated<number>;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}

export interface PasswordResetTable {
  token_hash: string;
  user_id: string;
  issued_in_workspace: string | null;
  issued_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    member_invitation: MemberInvitationTable;
    password_reset: PasswordResetTable;
    login_throttle: LoginThrottleTable;
  }
}
