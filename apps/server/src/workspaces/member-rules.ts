import { DomainError } from '../shared/domain-error.ts';
import type { Role } from './workspace-tables.ts';

/**
 * Who manages members. An owner's session acts as `owner`; an admin's session, or an API key
 * with the admin scope, acts as `admin`: a key cannot make owners or act on them, so a leaked key
 * cannot take a workspace away from its owners.
 */
export interface MemberManager {
  workspaceId: string;
  rank: 'owner' | 'admin';
  /** `user:<uuid>` or `api_key:<id>`, recorded on invitations and resets. */
  actor: string;
  userId?: string;
}

/** The manager a caller with the admin scope acts as (its role is set for sessions only). */
export function managerOf(principal: {
  workspaceId: string;
  actor: string;
  userId?: string;
  role?: Role;
}): MemberManager {
  return {
    workspaceId: principal.workspaceId,
    rank: principal.role === 'owner' ? 'owner' : 'admin',
    actor: principal.actor,
    ...(principal.userId ? { userId: principal.userId } : {}),
  };
}

/** Inviting someone as `role`: only owners make owners. */
export function assertMayGrant(manager: MemberManager, role: Role): void {
  if (role === 'owner' && manager.rank !== 'owner')
    throw new DomainError('forbidden', 'only an owner can make someone an owner');
}

/** Acting on a member at all (role, removal, sessions, keys, password reset): admins cannot act on owners. */
export function assertMayActOn(manager: MemberManager, target: { role: Role }): void {
  if (target.role === 'owner' && manager.rank !== 'owner')
    throw new DomainError('forbidden', 'only an owner can act on an owner');
}

/**
 * Changing a member's role (`newRole`) or removing them (`newRole` undefined). `owners` is the
 * workspace's current number of owners, counted under the workspace lock.
 */
export function assertMayChange(
  manager: MemberManager,
  target: { role: Role },
  newRole: Role | undefined,
  owners: number,
): void {
  assertMayActOn(manager, target);
  if (newRole) assertMayGrant(manager, newRole);
  if (target.role === 'owner' && newRole !== 'owner' && owners <= 1)
    throw new DomainError(
      'conflict',
      newRole
        ? 'the last owner cannot be demoted; make another member an owner first'
        : 'the last owner cannot be removed; make another member an owner first',
    );
}
