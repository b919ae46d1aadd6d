/** One problem in a request, as LINE lists it in `details`: the property path and the reason. */
export interface ErrorDetail {
  message: string;
  property: string;
}

/** Every way a Messaging API call can fail in the sandbox. Mapped to HTTP in {@link lineErrorStatus}. */
export type LineErrorCode =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'quota-exhausted'
  | 'internal';

/** A failure answered with LINE's error body `{"message", "details"?}` (plus extra fields for a push 409). */
export class LineApiError extends Error {
  readonly code: LineErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  readonly extraBody: Record<string, unknown>;
  /** A body in another shape (the OAuth endpoints answer `{error, error_description}`). */
  readonly replacementBody: Record<string, unknown> | undefined;

  constructor(
    code: LineErrorCode,
    message: string,
    more: {
      details?: ErrorDetail[];
      headers?: Record<string, string>;
      extraBody?: Record<string, unknown>;
      replacementBody?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'LineApiError';
    this.code = code;
    this.details = more.details;
    this.headers = more.headers ?? {};
    this.extraBody = more.extraBody ?? {};
    this.replacementBody = more.replacementBody;
  }

  /** The JSON body LINE sends with this error. */
  body(): Record<string, unknown> {
    if (this.replacementBody !== undefined) return this.replacementBody;
    const body: Record<string, unknown> = { message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return { ...body, ...this.extraBody };
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unmapped LINE error code: ${String(value)}`);
}

/** The one place where error codes become HTTP statuses; a new code fails to compile until mapped. */
export function lineErrorStatus(code: LineErrorCode): number {
  switch (code) {
    case 'bad-request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'rate-limited':
    case 'quota-exhausted':
      return 429;
    case 'internal':
      return 500;
    default:
      return assertUnreachable(code);
  }
}

/** LINE's answer to a body that fails validation: a count in `message`, each problem in `details`. */
export function validationError(details: ErrorDetail[]): LineApiError {
  return new LineApiError('bad-request', `The request body has ${details.length} error(s)`, { details });
}

export const RATE_LIMIT_MESSAGE = 'The API rate limit has been exceeded. Try again later.';
export const QUOTA_MESSAGE = 'You have reached your monthly limit.';
export const NOT_FOUND_MESSAGE = 'Not found';
