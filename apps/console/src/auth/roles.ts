// What each role may do, as the server's http/auth.ts grants it (the contract names each
// operation's scope as x-kizuna-scope, not the role map). The console hides or disables what the
// role cannot do; the server still checks every request.

export type Role = 'owner' | 'admin' | 'marketer' | 'staff' | 'viewer';
export type Scope = 'read' | 'ingest' | 'send' | 'till' | 'admin';

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  owner: ['read', 'ingest', 'send', 'till', 'admin'],
  admin: ['read', 'ingest', 'send', 'till', 'admin'],
  marketer: ['read', 'ingest', 'send', 'till'],
  staff: ['read', 'till'],
  viewer: ['read'],
};

export function isRole(value: string): value is Role {
  return value in ROLE_SCOPES;
}

export function roleCan(role: string, scope: Scope): boolean {
  return isRole(role) && ROLE_SCOPES[role].includes(scope);
}
