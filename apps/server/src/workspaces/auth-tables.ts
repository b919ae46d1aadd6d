// Kysely's view of the tables and columns added by migrations/0009_auth_hardening.sql, merged
// into DB (and into the core tables' interfaces) by module augmentation.
import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../db/schema.ts';

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
  interface UserSessionTable {
    id: Generated<string>;
    user_agent: string | null;
    client_ip: string | null;
  }
  interface WorkspaceMemberTable {
    last_seen_at: Date | null;
    sessions_not_before: Date | null;
  }
}
