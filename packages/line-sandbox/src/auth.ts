import { LineApiError } from './line-error.ts';

const MISSING =
  "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'";
const INVALID = 'Authentication failed. Confirm that the access token in the authorization header is valid.';

/**
 * Checks `Authorization: Bearer {channel access token}`. Any token passes unless `required` lists
 * some, in which case others get LINE's 401.
 */
export function checkAccessToken(header: string | undefined, required: ReadonlySet<string>): void {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header.trim());
  const token = match?.[1];
  if (token === undefined) throw new LineApiError('unauthorized', MISSING);
  if (required.size > 0 && !required.has(token)) throw new LineApiError('unauthorized', INVALID);
}

/** Whether a token would be accepted; token verification endpoints answer with this. */
export function isAcceptedToken(token: string, required: ReadonlySet<string>): boolean {
  return token.length > 0 && (required.size === 0 || required.has(token));
}
