import { createHash, randomBytes } from 'node:crypto';

// One-time links (invitations, password resets) carry a 256-bit random token. Only its SHA-256
// is stored, so a copy of the database does not hold usable links. An invitation token carries
// its workspace id, as API keys do, so the lookup is a key probe within that workspace.

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

const secret = () => randomBytes(32).toString('base64url');

/** `kzi_<workspace id without dashes>_<secret>` */
export function newWorkspaceToken(prefix: string, workspaceId: string): string {
  return `${prefix}_${workspaceId.replace(/-/g, '')}_${secret()}`;
}

/** The workspace a token of `newWorkspaceToken` names, or undefined when it is malformed. */
export function workspaceOfToken(prefix: string, token: string): string | undefined {
  const match = new RegExp(`^${prefix}_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$`).exec(token);
  const hex = match?.[1];
  if (!hex) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `kzr_<secret>` */
export function newToken(prefix: string): string {
  return `${prefix}_${secret()}`;
}

/**
 * The link shown to the person who issued it. The token travels in the fragment, which browsers
 * never send to a server: it stays out of access logs, proxies and Referer headers; the page
 * reads it and posts it to the API.
 */
export function oneTimeLink(publicUrl: string, path: 'invite' | 'reset-password', token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/${path}#token=${token}`;
}
