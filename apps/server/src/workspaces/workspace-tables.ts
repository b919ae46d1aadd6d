// Kysely's view of the tables in migrations/0001_core.sql and 0009_auth_hardening.sql, added to DB by module augmentation.
import type { Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';

export interface WorkspaceTable {
  id: Generated<string>;
  name: string;
  timezone: Generated<string>;
  currency: Generated<string>;
  created_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<string>;
  email: string;
  name: Generated<string>;
  password_hash: string;
  created_at: Timestamp;
}

export type Role = 'owner' | 'admin' | 'marketer' | 'staff' | 'viewer';

export interface WorkspaceMemberTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: Timestamp;
  last_seen_at: Date | null;
  sessions_not_before: Date | null;
}

export interface UserSessionTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  user_agent: string | null;
  client_ip: string | null;
}

export interface ApiKeyTable {
  workspace_id: string;
  id: Id;
  name: string;
  secret_hash: string;
  scopes: string[];
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    workspace: WorkspaceTable;
    app_user: AppUserTable;
    workspace_member: WorkspaceMemberTable;
    user_session: UserSessionTable;
    api_key: ApiKeyTable;
  }
}
