import type { FaultOptions } from './faults.ts';
import type { RateLimitOverrides } from './rate-limit.ts';
import type { UserInput } from './users.ts';

/** Options for {@link startLineSandbox}; every field has a default that suits a test. */
export interface LineSandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Host to bind; `127.0.0.1` by default. */
  host?: string;
  /** Channel secret used to sign webhooks. Default `sandbox-channel-secret`. */
  channelSecret?: string;
  /** Channel id reported by token verification. Default `1234567890`. */
  channelId?: string;
  /** LINE Login channel id: the `aud` of ID tokens and the LIFF apps' channel. Default `2000000001`. */
  loginChannelId?: string;
  /** LINE Login channel secret (the token endpoint's `client_secret`). Default `sandbox-login-channel-secret`. */
  loginChannelSecret?: string;
  /** When non-empty, only these channel access tokens are accepted; others get 401. Default: any token. */
  requireTokens?: string[];
  /** Where webhooks go (can also be set through the webhook endpoint API). */
  webhookUrl?: string;
  /** Redeliver webhooks that got a non-2xx answer or timed out, as LINE does when redelivery is on. Default false. */
  webhookRedelivery?: boolean;
  /** Delays before each redelivery, in ms. Default [100, 500, 2000]. */
  webhookRedeliveryDelaysMs?: number[];
  /** How long a webhook target may take to answer. Default 2,000 ms, like LINE. */
  webhookTimeoutMs?: number;
  /** Monthly message quota (messages per recipient); null (default) = type `none`, unlimited. */
  monthlyQuota?: number | null;
  /** Rate-limit overrides per group; `false` disables rate limiting. */
  rateLimits?: RateLimitOverrides | false;
  /** Fault injection at start; change it at runtime through `faults` or `PUT /sandbox/faults`. */
  faults?: FaultOptions;
  /** Seed for ids and faults, so runs repeat. Default: random. */
  seed?: number;
  /** `full` keeps message bodies per recipient; `counts` keeps only counts (for million-recipient runs). */
  record?: 'full' | 'counts';
  /** Messages to well-formed user ids that are not registered: `deliver` (default) or `drop` (as LINE drops non-friends). */
  unknownRecipients?: 'deliver' | 'drop';
  /** Test users present at start. */
  users?: UserInput[];
  /** Clock in ms since the epoch; inject one to test 24 h retry keys or month rollover. Default Date.now. */
  clock?: () => number;
  /** Audience smaller than this makes a narrowcast fail with errorCode 4. Default 50, like LINE. */
  narrowcastMinimumAudience?: number;
  /** Largest request body in bytes (413 above). Default 2 MB, like LINE. */
  bodyLimit?: number;
  /** Log each request to stderr (the CLI turns this on with --verbose). */
  logRequests?: boolean;
}

/** The resolved, frozen start configuration. Runtime-changeable settings live in the stores. */
export interface SandboxConfig {
  readonly port: number;
  readonly host: string;
  readonly channelId: string;
  readonly loginChannelId: string;
  readonly seed: number;
  readonly record: 'full' | 'counts';
  readonly unknownRecipients: 'deliver' | 'drop';
  readonly clock: () => number;
  readonly narrowcastMinimumAudience: number;
  readonly bodyLimit: number;
  readonly webhookTimeoutMs: number;
  readonly webhookRedeliveryDelaysMs: readonly number[];
  readonly logRequests: boolean;
}

function check(ok: boolean, key: string, expected: string): void {
  if (!ok) throw new Error(`line-sandbox option ${key}: expected ${expected}`);
}

/** Applies defaults and fails fast on a bad option, naming it. */
export function resolveConfig(options: LineSandboxOptions): SandboxConfig {
  const port = options.port ?? 0;
  check(Number.isInteger(port) && port >= 0 && port <= 65535, 'port', 'an integer 0–65535');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  check(Number.isInteger(seed), 'seed', 'an integer');
  const quota = options.monthlyQuota;
  check(
    quota == null || (Number.isInteger(quota) && quota >= 0),
    'monthlyQuota',
    'a non-negative integer or null',
  );
  const delays = options.webhookRedeliveryDelaysMs ?? [100, 500, 2000];
  check(
    delays.every((d) => Number.isFinite(d) && d >= 0),
    'webhookRedeliveryDelaysMs',
    'non-negative numbers',
  );
  return Object.freeze({
    port,
    host: options.host ?? '127.0.0.1',
    channelId: options.channelId ?? '1234567890',
    loginChannelId: options.loginChannelId ?? '2000000001',
    seed,
    record: options.record ?? 'full',
    unknownRecipients: options.unknownRecipients ?? 'deliver',
    clock: options.clock ?? Date.now,
    narrowcastMinimumAudience: options.narrowcastMinimumAudience ?? 50,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 2000,
    webhookRedeliveryDelaysMs: Object.freeze([...delays]),
    logRequests: options.logRequests ?? false,
  });
}

/** Tokyo calendar helpers: LINE counts quota months and daily deliveries in UTC+9. */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export function tokyoMonth(timeMs: number): string {
  return new Date(timeMs + JST_OFFSET_MS).toISOString().slice(0, 7);
}

export function tokyoDate(timeMs: number): string {
  return new Date(timeMs + JST_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}
