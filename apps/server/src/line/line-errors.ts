import { HTTPFetchError } from '@line/bot-sdk';
import { DomainError, type FieldProblem } from '../shared/domain-error.ts';

/**
 * LINE's error answer reduced to what Kizuna stores and shows: the status, LINE's `message` and
 * its `details`, each bounded and stripped of control characters. A body that is not LINE's
 * JSON error shape shows nothing of itself: whatever answered is not echoed to API callers.
 */
export interface LineFault {
  status: number;
  message: string;
  details: { property: string; message: string }[];
}

const MESSAGE_CHARS = 200;
const DETAILS = 10;
const BODY_PARSED = 64 * 1024;
export const QUOTA_MESSAGE = /monthly limit/i;

function printable(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function lineFault(error: HTTPFetchError): LineFault {
  const fault: LineFault = { status: error.status, message: '', details: [] };
  if (typeof error.body !== 'string' || error.body.length > BODY_PARSED) return fault;
  let body: unknown;
  try {
    body = JSON.parse(error.body);
  } catch {
    return fault;
  }
  if (typeof body !== 'object' || body === null) return fault;
  const { message, details } = body as { message?: unknown; details?: unknown };
  fault.message = printable(message, MESSAGE_CHARS);
  if (Array.isArray(details))
    for (const detail of details.slice(0, DETAILS)) {
      if (typeof detail !== 'object' || detail === null) continue;
      const d = detail as { property?: unknown; message?: unknown };
      fault.details.push({
        property: printable(d.property, 100),
        message: printable(d.message, MESSAGE_CHARS),
      });
    }
  return fault;
}

/** One line for the record (a failed request, a refused link): `400 message (property: message; …)`. */
export function lineReason(error: HTTPFetchError): string {
  const fault = lineFault(error);
  const details = fault.details.map((d) => `${d.property}: ${d.message}`).join('; ');
  return `${fault.status}${fault.message ? ` ${fault.message}` : ''}${details ? ` (${details})` : ''}`;
}

/**
 * Seconds a caller is asked to wait (Retry-After) when LINE failed: its 5xx answers and dropped
 * connections are usually over within a minute, and a client retrying at once only adds to them.
 */
export const LINE_UNAVAILABLE_RETRY_SECONDS = 30;

/**
 * Whether `error` is a failure to reach LINE at all rather than an answer from it: Node's fetch,
 * which the SDK uses, rejects with TypeError('fetch failed') (the socket error as its cause) when
 * the connection is refused or dropped, and with a TimeoutError or AbortError when cut short.
 */
function isNetworkFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  return error instanceof TypeError && error.message === 'fetch failed';
}

/**
 * LINE's 5xx or a failed connection: `upstream_unavailable` (502, Retry-After). Nothing LINE
 * sent is shown to the caller (a 5xx body may be anything a proxy in between produced); the
 * bounded, printable reason goes to the server log as the error's cause.
 */
function lineUnavailable(error: HTTPFetchError | Error): DomainError {
  const what = error instanceof HTTPFetchError ? `answered ${error.status}` : 'could not be reached';
  const cause = error instanceof HTTPFetchError ? lineReason(error) : errorChain(error);
  return new DomainError(
    'upstream_unavailable',
    `LINE ${what}; nothing was changed by Kizuna, try again later`,
    [],
    {
      retryAfterSeconds: LINE_UNAVAILABLE_RETRY_SECONDS,
      cause,
    },
  );
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:9` — the message and its causes', bounded. */
function errorChain(error: Error): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 3; e = e.cause) parts.push(e.message);
  return printable(parts.join(': '), MESSAGE_CHARS);
}

/**
 * What an API caller gets when a call to LINE made for them fails: a 429 is `rate_limited` (try
 * again later), a 401 means the channel's access token is wrong (`invalid`, naming accessToken),
 * any other 4xx is `invalid` with LINE's message and its details as field problems under `base`;
 * a 5xx or a connection that failed is `upstream_unavailable` (502). Anything else is returned
 * unchanged.
 */
export function lineRefusal(error: unknown, base = ''): unknown {
  if (error instanceof HTTPFetchError && error.status >= 500) return lineUnavailable(error);
  if (isNetworkFailure(error)) return lineUnavailable(error);
  if (!(error instanceof HTTPFetchError) || error.status < 400) return error;
  const fault = lineFault(error);
  const said = fault.message ? `: ${fault.message}` : '';
  if (error.status === 429)
    return new DomainError(
      'rate_limited',
      QUOTA_MESSAGE.test(fault.message)
        ? `LINE's monthly message limit is reached${said}`
        : `LINE's rate limit for this call is reached; try again later${said}`,
    );
  if (error.status === 401)
    return new DomainError('invalid', `LINE refused the channel access token (401)${said}`, [
      {
        path: 'accessToken',
        message: 'LINE refused the channel access token; save the channel with a valid one',
      },
    ]);
  const problems: FieldProblem[] = fault.details.map((d) => ({
    path: base && d.property ? `${base}.${d.property}` : d.property || base || '(body)',
    message: d.message,
  }));
  return new DomainError('invalid', `LINE refused the request (${error.status})${said}`, problems);
}

/** Runs one call to LINE for an API caller, turning LINE's refusals and failures into domain errors ({@link lineRefusal}). */
export async function lineCall<T>(call: () => Promise<T>, base = ''): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw lineRefusal(error, base);
  }
}
