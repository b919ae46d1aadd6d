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
 * What an API caller gets when LINE refuses a call made for them: a 429 is `rate_limited` (try
 * again later), a 401 means the channel's access token is wrong (`invalid`, naming accessToken),
 * any other 4xx is `invalid` with LINE's message and its details as field problems under `base`.
 * Anything else (5xx, network) is returned unchanged.
 */
export function lineRefusal(error: unknown, base = ''): unknown {
  if (!(error instanceof HTTPFetchError) || error.status < 400 || error.status >= 500) return error;
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

/** Runs one call to LINE for an API caller, turning LINE's refusals into domain errors ({@link lineRefusal}). */
export async function lineCall<T>(call: () => Promise<T>, base = ''): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw lineRefusal(error, base);
  }
}
