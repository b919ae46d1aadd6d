import { resolve } from 'node:path';
import { parseSmtpUrl, type SmtpSettings } from './email/smtp-settings.ts';
import { type LineHostAllowance, parseLineHostAllowance } from './line/line-hosts.ts';
import { parseSecretKey } from './shared/secret-box.ts';

/** Kizuna's settings, parsed once from the environment at the entrypoint and passed down frozen. */
export interface Config {
  /** PostgreSQL connection string; when absent Kizuna uses the embedded PGlite database. */
  readonly databaseUrl: string | undefined;
  /** KIZUNA_DATABASE_SCHEMA: the PostgreSQL schema to use (first on the search path); default public. */
  readonly databaseSchema: string | undefined;
  /** Data directory of the embedded database. */
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * KIZUNA_LOG_FORMAT: `json` (one JSON object a line, for log collectors), `pretty` (one readable
   * line an entry), or `auto` (default): pretty when standard output is a terminal, JSON otherwise.
   */
  readonly logFormat: 'json' | 'pretty' | 'auto';
  /** The URL users reach Kizuna at, used in printed links. */
  readonly publicUrl: string;
  /** Run the pg-boss job worker in this process. */
  readonly runWorker: boolean;
  /** Run the HTTP API in this process. */
  readonly runApi: boolean;
  /**
   * KIZUNA_TRUST_PROXY: which reverse proxies may name the client in X-Forwarded-For (login
   * throttling counts per client address). false (default): the socket's address; a number: that
   * many proxy hops; or a comma-separated list of proxy addresses or CIDR ranges.
   */
  readonly trustProxy: boolean | number | string[];
  /** KIZUNA_SECRET_KEY: encrypts stored secrets. Required with DATABASE_URL; with the embedded database a key file is kept in the data directory. */
  readonly secretKey: Buffer | undefined;
  /**
   * Hosts a LINE channel's API base URLs may name besides LINE's: KIZUNA_LINE_ALLOWED_HOSTS
   * (comma-separated host or host:port, e.g. the sandbox `127.0.0.1:3939`), or any host with
   * KIZUNA_LINE_ALLOW_ANY_HOST=true (development only). Default: LINE's hosts only.
   */
  readonly lineHosts: LineHostAllowance;
  /**
   * KIZUNA_CLOCK: `system` (default) or `simulated` (business time that `POST /v1/dev/clock` moves
   * forward, for tests and demos; refused with NODE_ENV=production, and only with the API and the
   * worker in one process, since the simulated time lives in that process). KIZUNA_CLOCK_START
   * (ISO-8601 with an offset) is where simulated time starts; default the wall clock at start.
   */
  readonly clock:
    | { readonly kind: 'system' }
    | { readonly kind: 'simulated'; readonly start: Date | undefined };
  /**
   * KIZUNA_SMTP_URL: the relay email goes out through (`smtp://user:pass@host:587`, STARTTLS
   * when offered; `smtps://` for TLS on connect). Unset: email sends wait until it is set.
   */
  readonly smtp: SmtpSettings | undefined;
  /** KIZUNA_INBOUND_SMTP_PORT: the port of the bounce and complaint listener; unset: off. */
  readonly inboundSmtpPort: number | undefined;
}

export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`${key}: ${reason}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parsePort(key: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(key, `must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((part) => part.trim());
  if (list.some((part) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(part))) {
    throw new ConfigError(
      'KIZUNA_TRUST_PROXY',
      `must be true, false, a hop count, or proxy addresses/CIDR ranges separated by commas, got "${value}"`,
    );
  }
  return list;
}

function parseClock(env: NodeJS.ProcessEnv, runApi: boolean, runWorker: boolean): Config['clock'] {
  const kind = env.KIZUNA_CLOCK?.trim().toLowerCase() || 'system';
  if (kind === 'system') {
    if (env.KIZUNA_CLOCK_START?.trim())
      throw new ConfigError('KIZUNA_CLOCK_START', 'is only read with KIZUNA_CLOCK=simulated');
    return { kind: 'system' };
  }
  if (kind !== 'simulated')
    throw new ConfigError('KIZUNA_CLOCK', `must be system or simulated, got "${kind}"`);
  if (env.NODE_ENV === 'production')
    throw new ConfigError('KIZUNA_CLOCK', 'simulated time is refused with NODE_ENV=production');
  if (!runApi || !runWorker)
    throw new ConfigError(
      'KIZUNA_CLOCK',
      'simulated time needs the API and the worker in one process (KIZUNA_API and KIZUNA_WORKER both true)',
    );
  const raw = env.KIZUNA_CLOCK_START?.trim();
  if (!raw) return { kind: 'simulated', start: undefined };
  const start = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(raw) || Number.isNaN(start.getTime()))
    throw new ConfigError(
      'KIZUNA_CLOCK_START',
      `must be an ISO-8601 instant with an offset, e.g. 2027-01-01T10:00:00+09:00, got "${raw}"`,
    );
  return { kind: 'simulated', start };
}

function parseBool(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(key, `must be true or false, got "${raw}"`);
}

/**
 * Reads the environment. Fails fast with the name of the bad key.
 *
 * @example
 * const config = loadConfig(process.env); // DATABASE_URL unset → embedded PGlite in ./.kizuna
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = parsePort('PORT', env.PORT?.trim() || '3000');
  const logLevel = (env.KIZUNA_LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('KIZUNA_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = (env.KIZUNA_LOG_FORMAT?.trim().toLowerCase() || 'auto') as Config['logFormat'];
  if (!['json', 'pretty', 'auto'].includes(logFormat)) {
    throw new ConfigError(
      'KIZUNA_LOG_FORMAT',
      `must be json, pretty or auto, got "${env.KIZUNA_LOG_FORMAT}"`,
    );
  }
  const publicUrl = (
    env.KIZUNA_PUBLIC_URL?.trim() || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`
  ).replace(/\/$/, '');
  const secretKey = env.KIZUNA_SECRET_KEY ? parseSecretKey(env.KIZUNA_SECRET_KEY) : undefined;
  if (env.KIZUNA_SECRET_KEY && !secretKey) {
    throw new ConfigError(
      'KIZUNA_SECRET_KEY',
      'must be 32 bytes: 64 hex digits or base64 (e.g. `openssl rand -hex 32`)',
    );
  }
  const databaseSchema = env.KIZUNA_DATABASE_SCHEMA?.trim() || undefined;
  if (databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError('KIZUNA_DATABASE_SCHEMA', 'must be a lower-case SQL identifier');
  }
  let lineHosts: LineHostAllowance;
  try {
    lineHosts = parseLineHostAllowance(
      env.KIZUNA_LINE_ALLOWED_HOSTS,
      parseBool('KIZUNA_LINE_ALLOW_ANY_HOST', env.KIZUNA_LINE_ALLOW_ANY_HOST, false),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('KIZUNA_LINE_ALLOWED_HOSTS', (error as Error).message);
  }
  const runWorker = parseBool('KIZUNA_WORKER', env.KIZUNA_WORKER, true);
  const runApi = parseBool('KIZUNA_API', env.KIZUNA_API, true);
  let smtp: SmtpSettings | undefined;
  try {
    smtp = env.KIZUNA_SMTP_URL?.trim() ? parseSmtpUrl(env.KIZUNA_SMTP_URL.trim()) : undefined;
  } catch (error) {
    throw new ConfigError('KIZUNA_SMTP_URL', (error as Error).message);
  }
  const inbound = env.KIZUNA_INBOUND_SMTP_PORT?.trim();
  return Object.freeze({
    smtp,
    inboundSmtpPort: inbound ? parsePort('KIZUNA_INBOUND_SMTP_PORT', inbound) : undefined,
    secretKey,
    clock: parseClock(env, runApi, runWorker),
    lineHosts,
    databaseUrl,
    databaseSchema,
    dataDir: resolve(env.KIZUNA_DATA_DIR?.trim() || '.kizuna'),
    host,
    port,
    logLevel,
    logFormat,
    publicUrl,
    runWorker,
    runApi,
    trustProxy: parseTrustProxy(env.KIZUNA_TRUST_PROXY),
  });
}
