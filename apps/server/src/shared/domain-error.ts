/**
 * Outcomes a user can cause. Each code maps to one HTTP status in http/error-handler.ts, through
 * an exhaustive switch: a new code does not compile until it is mapped.
 */
export type DomainErrorCode =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  /** A service Kizuna called for the request (LINE) failed or did not answer; try again later. */
  | 'upstream_unavailable';

/** One problem with one input, named by its path: `events[3].occurredAt`. */
export interface FieldProblem {
  path: string;
  message: string;
  /** In a batch, the position of the item the problem belongs to. */
  index?: number;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly problems: FieldProblem[];
  /** For `rate_limited` and `upstream_unavailable`: when to try again (sent as the Retry-After header). */
  readonly retryAfterSeconds: number | undefined;
  /**
   * A stable, finer reason within the code (`coupon_tier_restricted`), for a client that acts on
   * it; sent as `error.reason`. The message may change wording; the reason does not.
   */
  readonly reason: string | undefined;
  constructor(
    code: DomainErrorCode,
    message: string,
    problems: FieldProblem[] = [],
    options: { retryAfterSeconds?: number; cause?: unknown; reason?: string } = {},
  ) {
    // The cause is for the server log (error-handler.ts), never sent to the caller.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.problems = problems;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
  }
}

export function invalid(problems: FieldProblem[]): DomainError {
  const head = problems
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new DomainError('invalid', `${head}${more}`, problems);
}

export function notFound(what: string): DomainError {
  return new DomainError('not_found', `${what} not found`);
}

/** PostgreSQL error codes Kizuna turns into domain outcomes. */
export function pgErrorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** Maps constraint violations to domain errors and rethrows everything else unchanged. */
export function mapPgError(error: unknown, what: string): never {
  switch (pgErrorCode(error)) {
    case UNIQUE_VIOLATION:
      throw new DomainError('conflict', `${what} already exists`);
    case FOREIGN_KEY_VIOLATION:
      throw new DomainError('invalid', `${what} refers to something that does not exist`);
    default:
      throw error;
  }
}
