import { DomainError } from '../shared/domain-error.ts';

/**
 * Which hosts a LINE channel's base URLs may name. Kizuna sends the channel access token to that
 * host and shows parts of its answers, so a base URL an admin could point anywhere would reach
 * whatever the server reaches (the database port, a cloud metadata address): a server-side request
 * forgery. Only LINE's own hosts, over https, are allowed unless the operator allows more
 * (`KIZUNA_LINE_ALLOWED_HOSTS`, e.g. the sandbox for demos and tests, or
 * `KIZUNA_LINE_ALLOW_ANY_HOST` for development), parsed once in config.ts.
 */
export interface LineHostAllowance {
  /** Hosts allowed besides LINE's (http or https): a host name or address, any port unless given. */
  readonly hosts: readonly { readonly host: string; readonly port: string | undefined }[];
  /** Any host at all (development only). */
  readonly any: boolean;
}

/** The default: LINE's hosts only. */
export const LINE_HOSTS_ONLY: LineHostAllowance = Object.freeze({ hosts: Object.freeze([]), any: false });

const LINE_HOSTS = ['api.line.me', 'api-data.line.me'];
export const LINE_API_BASE_URL = 'https://api.line.me';
export const LINE_DATA_API_BASE_URL = 'https://api-data.line.me';

/**
 * Parses `KIZUNA_LINE_ALLOWED_HOSTS` (comma-separated `host` or `host:port`, IPv6 in brackets).
 * Throws an Error naming the bad entry.
 *
 * @example
 * parseLineHostAllowance('127.0.0.1:4010, localhost', false) // the sandbox on 4010, localhost on any port
 */
export function parseLineHostAllowance(list: string | undefined, any: boolean): LineHostAllowance {
  const hosts = (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]*\\]+)(?::(\d{1,5}))?$/.exec(entry);
      const port = match?.[2];
      if (!match || (port !== undefined && (Number(port) < 1 || Number(port) > 65535)))
        throw new Error(`"${entry}" is not a host or host:port`);
      // The URL parser canonicalises the host as it will canonicalise the base URLs (case, IPv4 forms).
      const host = new URL(`http://${match[1]}`).hostname;
      return Object.freeze({ host, port: port === undefined ? undefined : String(Number(port)) });
    });
  return Object.freeze({ hosts: Object.freeze(hosts), any });
}

/**
 * Checks one base URL against the allowance: the normalised URL (no trailing slash), or the
 * reason it is refused. Credentials, queries and fragments are refused everywhere.
 */
export function checkLineBaseUrl(
  raw: string,
  allowance: LineHostAllowance,
): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'not an http(s) URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'not an http(s) URL' };
  if (url.username || url.password || url.search || url.hash)
    return { problem: 'must be a base URL without credentials, query or fragment' };
  const normalised = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (LINE_HOSTS.includes(url.hostname)) {
    if (url.protocol === 'https:' && port === '443') return { url: normalised };
    if (!allowance.any) return { problem: `LINE's hosts are reached over https only` };
  }
  if (allowance.any) return { url: normalised };
  if (allowance.hosts.some((h) => h.host === url.hostname && (h.port === undefined || h.port === port)))
    return { url: normalised };
  return {
    problem: `${url.host} is not a LINE API host (${LINE_API_BASE_URL}, ${LINE_DATA_API_BASE_URL}); the server's operator can allow other hosts with KIZUNA_LINE_ALLOWED_HOSTS`,
  };
}

/** The normalised URL, or `invalid` naming the field. */
export function allowedLineBaseUrl(raw: string, allowance: LineHostAllowance, field: string): string {
  const checked = checkLineBaseUrl(raw, allowance);
  if ('url' in checked) return checked.url;
  throw new DomainError('invalid', `${field}: ${checked.problem}`, [
    { path: field, message: checked.problem },
  ]);
}
