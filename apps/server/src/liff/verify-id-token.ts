// Verifies a LIFF app's ID token (`liff.getIDToken()`) as LINE documents it: an ES256 JWT whose
// key (by `kid`) is in LINE Login's JWKS at `{apiBaseUrl}/oauth2/v2.1/certs`, issued by
// https://access.line.me for the LIFF app's login channel (`aud`), not expired, and carrying the
// nonce the app asked for when it gives one. The base URL is the channel's, so the same code
// verifies LINE's tokens and the sandbox's.
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { DomainError } from '../shared/domain-error.ts';

export const LINE_LOGIN_ISSUER = 'https://access.line.me';
const USER_ID = /^U[0-9a-f]{32}$/;

/** One key set per base URL, kept between requests (jose refetches on an unknown `kid`). */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(apiBaseUrl: string) {
  let set = keySets.get(apiBaseUrl);
  if (!set) {
    set = createRemoteJWKSet(new URL(`${apiBaseUrl}/oauth2/v2.1/certs`), { timeoutDuration: 5_000 });
    keySets.set(apiBaseUrl, set);
  }
  return set;
}

export interface VerifiedIdToken {
  lineUserId: string;
  name: string | undefined;
  picture: string | undefined;
  expiresAt: Date;
}

const refuse = (reason: string) =>
  new DomainError('unauthenticated', `idToken: ${reason}`, [{ path: 'idToken', message: reason }], {
    reason: 'id_token_invalid',
  });

/** Why jose refused the token, in words a LIFF developer can act on. */
function refusal(error: unknown): DomainError {
  if (error instanceof errors.JWTExpired) return refuse('expired; get a fresh one with liff.getIDToken()');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return refuse(`issuer is not ${LINE_LOGIN_ISSUER}`);
    if (error.claim === 'aud') return refuse("audience is not this LIFF app's LINE Login channel");
    if (error.claim === 'iat' || error.claim === 'nbf') return refuse('issued in the future');
    return refuse(`claim ${error.claim} is not valid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return refuse("signature does not verify with LINE Login's keys");
  if (error instanceof errors.JOSEAlgNotAllowed) return refuse('not signed with ES256');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return new DomainError('upstream_unavailable', "LINE Login's keys could not be fetched; try again", [], {
      retryAfterSeconds: 5,
      cause: error,
    });
  if (error instanceof errors.JOSEError) return refuse('not a valid JWT');
  // A network failure fetching the keys.
  return new DomainError('upstream_unavailable', "LINE Login's keys could not be fetched; try again", [], {
    retryAfterSeconds: 5,
    cause: error,
  });
}

/**
 * The LINE user the token is for, or `unauthenticated` naming `idToken` and the reason.
 * @example
 * const { lineUserId } = await verifyLiffIdToken(token, { apiBaseUrl, loginChannelId: '2000000001', now });
 */
export async function verifyLiffIdToken(
  token: string,
  options: { apiBaseUrl: string; loginChannelId: string; now: Date; nonce?: string | undefined },
): Promise<VerifiedIdToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keySet(options.apiBaseUrl), {
      issuer: LINE_LOGIN_ISSUER,
      audience: options.loginChannelId,
      algorithms: ['ES256'],
      currentDate: options.now,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    throw refusal(error);
  }
  if (options.nonce !== undefined && payload.nonce !== options.nonce) throw refuse('nonce does not match');
  if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub))
    throw refuse('sub is not a LINE user id');
  return {
    lineUserId: payload.sub,
    name: typeof payload.name === 'string' ? payload.name : undefined,
    picture: typeof payload.picture === 'string' ? payload.picture : undefined,
    expiresAt: new Date(Number(payload.exp) * 1000),
  };
}
