import { ROLE_LABELS } from '../auth/messages.ts';
import type { Role } from '../auth/roles.ts';

export const ROLES: readonly Role[] = ['owner', 'admin', 'marketer', 'staff', 'viewer'];

export const ROLE_HELP = {
  owner: 'roleHelpOwner',
  admin: 'roleHelpAdmin',
  marketer: 'roleHelpMarketer',
  staff: 'roleHelpStaff',
  viewer: 'roleHelpViewer',
} as const satisfies Record<Role, string>;

export { ROLE_LABELS };
