import type { Database } from '../db/open-database.ts';
import { initWorkspace } from './workspaces.ts';

export interface LoginHint {
  email: string;
  /** Shown only when it was just generated. */
  password?: string;
  apiKey?: string;
  note?: string;
}

export const FIRST_OWNER_EMAIL = 'owner@kizuna.local';

/**
 * On the first start of an empty database, creates a workspace and its owner so there is a login
 * to print. Later starts print the owner's email only: the password was shown once.
 */
export async function ensureFirstWorkspace(database: Database): Promise<LoginHint> {
  const owner = await database.db
    .selectFrom('workspace_member as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.role', '=', 'owner')
    .orderBy('m.created_at')
    .executeTakeFirst();
  if (owner)
    return {
      email: owner.email,
      note: 'password shown at first start; `kizuna init` creates another workspace and owner',
    };
  const created = await initWorkspace(database.db, { name: 'My shop', ownerEmail: FIRST_OWNER_EMAIL });
  return { email: created.ownerEmail, password: created.ownerPassword ?? undefined, apiKey: created.apiKey };
}
