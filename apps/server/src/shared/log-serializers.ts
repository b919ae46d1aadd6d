// What Kizuna writes about errors and requests into its JSON log. pino's standard err serializer
// copies every enumerable field of an error, and database errors carry the statement's values:
// PGlite's have `query` and `params`, PostgreSQL's `detail` ("Key (value)=(hanako@example.jp)
// already exists") and `where`. One failing ingest logged customers' emails, phones, names and a
// password hash (issue #19 item 9). These serializers keep what locates a failure (the error's
// type, code, the statement's verb and table, the constraint, the stack) and never a value.

/** Fields of a database error that name things (schema objects, the C routine), never values. */
const NAME_FIELDS = ['severity', 'routine', 'constraint', 'table', 'column', 'schema', 'dataType'] as const;
/** Fields of system and HTTP errors that say where a connection or call went wrong. */
const PLAIN_FIELDS = ['errno', 'syscall', 'address', 'port', 'statusCode', 'status'] as const;

const MAX_MESSAGE = 500;
const MAX_CAUSES = 3;

// PostgreSQL quotes the offending input after a colon or the word "value":
// `invalid input syntax for type integer: "hanako@example.jp"`, `value "99999999999" is out of
// range for type integer`. Names of tables, columns and constraints are quoted after other words.
// `[^"]*` stops at the next quote, so the pattern runs in linear time.
const QUOTED_VALUE = /(: |value )"[^"]*"/g;

/** Masks values in an error message: quoted inputs and anything shaped like an email address. */
export function scrubMessage(message: string): string {
  const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return short
    .replace(QUOTED_VALUE, '$1"[redacted]"')
    .split(/(\s+)/)
    .map((word) => (/[^@\s]@[^@\s]/.test(word) ? '[email]' : word))
    .join('');
}

const VERB =
  /^(with|select|insert into|update|delete from|create|alter|drop|truncate|lock|copy|set|begin|commit|rollback)\b/;
const TARGET = /\b(?:into|update|from|table)\s+("?[a-z_][\w$]*"?(?:\."?[a-z_][\w$]*"?)?)/;

/**
 * The statement's verb and first table, for a log line: `insert into customer_identity`. The
 * text after it (columns, values, conditions) is left out: a statement built with literals would
 * carry data there.
 */
export function statementName(query: string): string | undefined {
  const head = query.slice(0, 300).replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = VERB.exec(head)?.[1];
  if (!verb) return undefined;
  const target = TARGET.exec(head)?.[1]?.replaceAll('"', '');
  return target ? `${verb} ${target}` : verb;
}

/** The stack's frames under `header` (its first line repeats the raw message, values and all). */
export function scrubStack(stack: string, header: string): string | undefined {
  // The stack begins with "<name>: <message>", values and all; keep only the frames.
  const frames = stack.indexOf('\n    at ');
  return frames < 0 ? undefined : `${header}${stack.slice(frames)}`;
}

function isErrorLike(value: unknown): value is Error & Record<string, unknown> {
  return (
    value instanceof Error ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { message?: unknown }).message === 'string')
  );
}

/** The log's `err`: type, message (values masked), code, names of what failed, stack, causes. */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!isErrorLike(error)) return error;
  const type =
    error.constructor?.name && error.constructor.name !== 'Object' ? error.constructor.name : 'Error';
  const message = scrubMessage(String(error.message));
  const out: Record<string, unknown> = { type, message };
  if (typeof error.code === 'string' || typeof error.code === 'number') out.code = error.code;
  for (const field of [...NAME_FIELDS, ...PLAIN_FIELDS]) {
    const value = error[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  // Set at the database seam (db/open-database.ts); PGlite's own `query` holds the full text.
  const statement =
    typeof error.statement === 'string'
      ? error.statement
      : typeof error.query === 'string'
        ? statementName(error.query)
        : undefined;
  if (statement) out.statement = statement;
  if (typeof error.stack === 'string')
    out.stack = scrubStack(error.stack, `${error.name ?? type}: ${message}`);
  if (error.cause !== undefined && depth < MAX_CAUSES) out.cause = serializeError(error.cause, depth + 1);
  if (Array.isArray(error.errors) && depth < MAX_CAUSES)
    out.errors = error.errors.slice(0, 10).map((inner: unknown) => serializeError(inner, depth + 1));
  return out;
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
}

/**
 * The log's `req`: method and path. The query string is left out: it can hold an email or a
 * phone number someone searched for.
 */
export function serializeRequest(request: RequestLike): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url?.split('?')[0],
    remoteAddress: request.ip,
  };
}
