// LINE Login v2.1 as the sandbox plays it: one login channel, an ES256 key published as a JWKS,
// authorization codes, access and refresh tokens, and ID tokens such as LINE Login, the LINE
// SDK and LIFF's `liff.getIDToken()` hand out (ES256; HS256 signed with the channel secret, as LINE
// signs web login's, on request). The shapes follow LINE's documentation
// (developers.line.biz/en/reference/line-login/); what the sandbox leaves out is in the README.
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { type Random, randomHex } from './random.ts';

export const LINE_LOGIN_ISSUER = 'https://access.line.me';
/** LINE's ID tokens live an hour; access tokens 30 days. */
export const ID_TOKEN_LIFETIME_S = 60 * 60;
export const ACCESS_TOKEN_LIFETIME_S = 30 * 24 * 60 * 60;
/** An authorization code must be exchanged within 10 minutes, once. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** The claims of an ID token; `amr` and `email` are left out when not wanted. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  nonce?: string;
  amr?: string[];
  name?: string;
  picture?: string;
  email?: string;
  [claim: string]: unknown;
}

/** What {@link LoginStore.mintIdToken} may change, to make a token wrong on purpose. */
export type IdTokenOverrides = Partial<IdTokenClaims> & {
  /**
   * `ES256` (the default: LIFF and the native SDKs), `HS256` (HMAC-SHA256 with the login channel
   * secret, as LINE signs the ID tokens of web login; no `kid`), or `none` (unsigned, empty
   * signature: a forgery no verifier may accept).
   */
  alg?: 'ES256' | 'HS256' | 'none';
  /** With `alg: 'HS256'`, sign with this secret instead of the channel's (a forged token). */
  hmacSecret?: string;
  /** Sign with this key instead of the sandbox's (a forged token); `kid` stays the sandbox's. */
  signingKey?: KeyObject;
  /** A `kid` in the header other than the sandbox key's. */
  kid?: string;
};

export interface AuthorizationCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  issuedAt: number;
  friendshipStatusChanged: boolean | undefined;
}

export interface LoginAccessToken {
  userId: string;
  clientId: string;
  scope: string[];
  expiresAt: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Keys, codes and tokens of the sandbox's LINE Login channel. */
export class LoginStore {
  readonly channelId: string;
  channelSecret: string;
  /** When set, `/oauth2/v2.1/authorize` consents at once as this user instead of showing a picker. */
  autoConsentUserId: string | undefined;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #publicJwk: Record<string, unknown>;
  readonly kid: string;
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #accessTokens = new Map<string, LoginAccessToken>();
  readonly #refreshTokens = new Map<string, LoginAccessToken>();
  readonly #clock: () => number;
  readonly #random: Random;

  constructor(options: { channelId: string; channelSecret: string; clock: () => number; random: Random }) {
    this.channelId = options.channelId;
    this.channelSecret = options.channelSecret;
    this.#clock = options.clock;
    this.#random = options.random;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.kid = randomHex(options.random, 64);
    this.#publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'ES256', use: 'sig' };
  }

  /** The JWKS served at `/oauth2/v2.1/certs`. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.#publicJwk] };
  }

  /** Seconds since the epoch on the sandbox's clock. */
  nowSeconds(): number {
    return Math.floor(this.#clock() / 1000);
  }

  /**
   * An ES256 ID token for `userId`, as `liff.getIDToken()` returns it: iss access.line.me, aud
   * the login channel id, an hour's life. `overrides` change any claim (or the signing key), so a
   * test can make an expired, wrong-audience, wrong-issuer, wrong-nonce or forged token.
   */
  mintIdToken(
    user: { userId: string; displayName?: string; pictureUrl?: string | undefined },
    overrides: IdTokenOverrides = {},
  ): string {
    const { alg = 'ES256', hmacSecret, signingKey, kid, ...claimOverrides } = overrides;
    const iat = this.nowSeconds();
    const claims: IdTokenClaims = {
      iss: LINE_LOGIN_ISSUER,
      sub: user.userId,
      aud: this.channelId,
      exp: iat + ID_TOKEN_LIFETIME_S,
      iat,
      amr: ['linesso'],
      ...(user.displayName === undefined ? {} : { name: user.displayName }),
      ...(user.pictureUrl === undefined ? {} : { picture: user.pictureUrl }),
      ...claimOverrides,
    };
    for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
    const header = alg === 'ES256' ? { typ: 'JWT', alg, kid: kid ?? this.kid } : { typ: 'JWT', alg };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    if (alg === 'none') return `${input}.`;
    if (alg === 'HS256') return `${input}.${b64url(this.#hmac(input, hmacSecret ?? this.channelSecret))}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: signingKey ?? this.#privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${b64url(signature)}`;
  }

  #hmac(input: string, secret: string): Buffer {
    return createHmac('sha256', secret).update(input).digest();
  }

  /**
   * Checks an ID token's signature, ES256 with the sandbox key or HS256 with the channel secret
   * (each algorithm with its own key only); the claims when it verifies.
   */
  readIdToken(token: string): { claims: IdTokenClaims } | { error: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { error: 'Invalid IdToken.' };
    const [head, body, sig] = parts as [string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    let claims: IdTokenClaims;
    try {
      header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { error: 'Invalid IdToken.' };
    }
    const signature = Buffer.from(sig, 'base64url');
    if (header.alg === 'HS256') {
      const expected = this.#hmac(`${head}.${body}`, this.channelSecret);
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
        return { error: 'Invalid IdToken.' };
      return { claims };
    }
    if (header.alg !== 'ES256' || header.kid !== this.kid) return { error: 'Invalid IdToken.' };
    const signed = Buffer.from(`${head}.${body}`);
    const key = { key: this.#publicKey, dsaEncoding: 'ieee-p1363' as const };
    if (!verify('sha256', signed, key, signature)) return { error: 'Invalid IdToken.' };
    return { claims };
  }

  issueCode(code: Omit<AuthorizationCode, 'issuedAt'>): string {
    this.#prune();
    const value = randomHex(this.#random, 20);
    this.#codes.set(value, { ...code, issuedAt: this.#clock() });
    return value;
  }

  /** Spends a live code; undefined when unknown, used or older than 10 minutes. */
  consumeCode(code: string): AuthorizationCode | undefined {
    this.#prune();
    const found = this.#codes.get(code);
    this.#codes.delete(code);
    return found;
  }

  /** A fresh access token and refresh token for the user and scopes. */
  issueTokens(grant: { userId: string; clientId: string; scope: string[] }): {
    accessToken: string;
    refreshToken: string;
  } {
    const accessToken = randomHex(this.#random, 64);
    const refreshToken = randomHex(this.#random, 40);
    const expiresAt = this.#clock() + ACCESS_TOKEN_LIFETIME_S * 1000;
    this.#accessTokens.set(accessToken, { ...grant, expiresAt });
    this.#refreshTokens.set(refreshToken, { ...grant, expiresAt });
    return { accessToken, refreshToken };
  }

  /** A live access token's grant; undefined when unknown or expired. */
  accessToken(token: string): LoginAccessToken | undefined {
    const found = this.#accessTokens.get(token);
    if (found === undefined || found.expiresAt <= this.#clock()) return undefined;
    return found;
  }

  /** Spends a refresh token (LINE issues a new one with each refresh). */
  consumeRefreshToken(token: string): LoginAccessToken | undefined {
    const found = this.#refreshTokens.get(token);
    this.#refreshTokens.delete(token);
    return found;
  }

  revoke(accessToken: string): void {
    this.#accessTokens.delete(accessToken);
  }

  clear(): void {
    this.#codes.clear();
    this.#accessTokens.clear();
    this.#refreshTokens.clear();
    this.autoConsentUserId = undefined;
  }

  #prune(): void {
    const cutoff = this.#clock() - CODE_LIFETIME_MS;
    for (const [code, issued] of this.#codes) {
      if (issued.issuedAt > cutoff) break;
      this.#codes.delete(code);
    }
  }
}

/** PKCE S256: base64url(sha256(verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
