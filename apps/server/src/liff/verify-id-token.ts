// Verifies a LIFF app's ID token (`liff.getIDToken()`) as LINE documents it: a JWT issued by
// https://access.line.me for the LIFF app's login channel (`aud`), not expired, and carrying the
// nonce the app asked for when it gives one. LINE signs two ways: ES256 with a key (by `kid`) from
// LINE Login's JWKS at `{apiBaseUrl}/oauth2/v2.1/certs` (LIFF and the native SDKs), and HS256 with
// the login channel's secret (web login). The base URL is the channel's, so the same code
// verifies LINE's tokens and the sandbox's.
//
// Algorithm confusion is shut out by choosing the key from the header's `alg` and then pinning
// jose to that one algorithm: an HS256 token is only ever checked against the channel secret,
// never against a JWKS public key (whose bytes are public, so an HMAC under them proves nothing),
// an ES256 token only against the JWKS, and every other `alg` (`none` included) is refused
// before any key is touched.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
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

/** The algorithms accepted, each with the only key it is verified with. */
type Alg = 'ES256' | 'HS256';

/** The header's `alg` when it is one Kizuna accepts; anything else is refused here. */
function acceptedAlg(token: string): Alg {
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(token));
  } catch {
    throw refuse('not a valid JWT');
  }
  if (alg === 'ES256' || alg === 'HS256') return alg;
  throw refuse(
    `signed with ${typeof alg === 'string' ? alg.slice(0, 20) : 'no algorithm'}; LINE signs ID tokens with ES256 or HS256`,
  );
}

/** Why jose refused the token, in words a LIFF developer can act on. */
function refusal(error: unknown, alg: Alg): DomainError {
  if (error instanceof errors.JWTExpired) return refuse('expired; get a fresh one with liff.getIDToken()');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return refuse(`issuer is not ${LINE_LOGIN_ISSUER}`);
    if (error.claim === 'aud') return refuse("audience is not this LIFF app's LINE Login channel");
    if (error.claim === 'iat' || error.claim === 'nbf') return refuse('issued in the future');
    return refuse(`claim ${error.claim} is not valid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return refuse(
      alg === 'HS256'
        ? "signature does not verify with the LINE Login channel's secret"
        : "signature does not verify with LINE Login's keys",
    );
  if (error instanceof errors.JOSEAlgNotAllowed) return refuse(`not signed with ${alg}`);
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

export interface VerifyIdTokenOptions {
  /** The channel's LINE API base URL: the JWKS for ES256 is fetched from it. */
  apiBaseUrl: string;
  loginChannelId: string;
  /** The login channel's secret, the HS256 key (a secret: never logged). */
  loginChannelSecret: string;
  now: Date;
  nonce?: string | undefined;
}

/**
 * The LINE user the token is for, or `unauthenticated` naming `idToken` and the reason.
 * @example
 * const { lineUserId } = await verifyLiffIdToken(token, {
 *   apiBaseUrl, loginChannelId: '2000000001', loginChannelSecret, now,
 * });
 */
export async function verifyLiffIdToken(
  token: string,
  options: VerifyIdTokenOptions,
): Promise<VerifiedIdToken> {
  const alg = acceptedAlg(token);
  const claims = {
    issuer: LINE_LOGIN_ISSUER,
    audience: options.loginChannelId,
    algorithms: [alg],
    currentDate: options.now,
    requiredClaims: ['sub', 'exp', 'iat'],
  };
  let payload: Record<string, unknown>;
  try {
    ({ payload } =
      alg === 'HS256'
        ? await jwtVerify(token, new TextEncoder().encode(options.loginChannelSecret), claims)
        : await jwtVerify(token, keySet(options.apiBaseUrl), claims));
  } catch (error) {
    throw refusal(error, alg);
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
