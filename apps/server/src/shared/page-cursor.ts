// Opaque page cursors for the read APIs, newest first. A cursor is base64url of the last item's
// sort key as JSON: `[at, id]` (or more parts, see decodeCursor). Clients must not build one; a
// cursor that does not decode to a key the server could have written is a 400 naming the field,
// never a database error (a NUL byte or an id past bigint would otherwise reach PostgreSQL).
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { invalid } from './domain-error.ts';

/** The largest bigint: an id bound that lets every id at the same instant through. */
const MAX_BIGINT = 9223372036854775807n;

/** ISO 8601 in UTC with microseconds, as PostgreSQL keeps a timestamptz. */
const INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const BIGINT = /^[1-9][0-9]{0,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The SQL text of an instant with all its microseconds, for a cursor (see INSTANT). */
export function instantText(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Where a page starts: rows whose key (at, id, sub) sorts below this one. `id` and `sub` are
 * decimal strings (bigints are compared in SQL, never in JS numbers).
 */
export interface KeyBound {
  at: string;
  id: string;
  sub?: string;
}

/** Every row at `at` or earlier (the bound of a timeline source ranked after the cursor's). */
export function atOrBefore(at: string): KeyBound {
  return { at, id: String(MAX_BIGINT), sub: String(MAX_BIGINT) };
}

/** Every row strictly before `at` (the bound of a timeline source ranked before the cursor's). */
export function strictlyBefore(at: string): KeyBound {
  return { at, id: '0', sub: '0' };
}

/** `(at, id) < (bound.at, bound.id)`, or with a third column when the key has one. */
export function keyBefore(at: string, id: string, bound: KeyBound, sub?: string): RawBuilder<SqlBool> {
  if (sub === undefined)
    return sql<SqlBool>`(${sql.ref(at)}, ${sql.ref(id)}) < (${bound.at}::timestamptz, ${bound.id}::bigint)`;
  return sql<SqlBool>`(${sql.ref(at)}, ${sql.ref(id)}, ${sql.ref(sub)}) < (${bound.at}::timestamptz, ${bound.id}::bigint, ${bound.sub ?? '0'}::bigint)`;
}

export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** What one part of a cursor must be: an instant, a bigint id, or one of a few words. */
/** `sub`: a second bigint key part that may be 0 (an outbox seq). */
export type CursorPart = 'instant' | 'id' | 'sub' | 'uuid' | { oneOf: readonly string[] } | 'text';

/**
 * Decodes a cursor into its parts, checked against `shape`; anything else is a 400 on `field`.
 *
 * @example decodeCursor(query.cursor, ['instant', 'id']) // → ['2026-04-01T03:30:00.000000Z', '42']
 */
export function decodeCursor(
  value: string,
  shape: readonly CursorPart[],
  field = 'querystring.cursor',
): string[] {
  const bad = () =>
    invalid([{ path: field, message: 'not a cursor this API returned (use nextCursor as is)' }]);
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw bad();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parts) || parts.length !== shape.length) throw bad();
  return parts.map((part, i) => {
    const want = shape[i]!;
    const text = typeof part === 'number' && Number.isSafeInteger(part) ? String(part) : part;
    if (typeof text !== 'string' || !validPart(text, want)) throw bad();
    return text;
  });
}

function validPart(text: string, want: CursorPart): boolean {
  if (want === 'instant') return validInstant(text);
  if (want === 'id') return BIGINT.test(text) && BigInt(text) <= MAX_BIGINT;
  if (want === 'sub') return /^(0|[1-9][0-9]{0,18})$/.test(text) && BigInt(text) <= MAX_BIGINT;
  if (want === 'uuid') return UUID.test(text);
  if (want === 'text') return text.length > 0 && text.length <= 200 && !text.includes('\u0000');
  return want.oneOf.includes(text);
}

/** A real instant within the years PostgreSQL and JavaScript both keep (1..9999). */
function validInstant(text: string): boolean {
  const match = INSTANT.exec(text);
  if (!match || Number(match[1]) < 1) return false;
  const date = new Date(text);
  // Date accepts 2026-02-30 and rolls it over; the round trip catches that.
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === text.slice(0, 19);
}

/** A row of a newest-first listing with its sort key (the instant as text and the bigint id). */
export interface KeyedRow {
  key: { at: string; id: string };
}

/**
 * One newest-first page: reads `limit + 1` rows below the cursor's key (an `[instant, id]` cursor
 * this API wrote), shows `limit` of them, and gives the next page's cursor when there are more.
 */
export async function newestFirstPage<R extends KeyedRow, V>(
  page: { limit: number; cursor?: string | undefined },
  read: (range: { limit: number; before: KeyBound | undefined }) => Promise<R[]>,
  view: (row: R) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  let before: KeyBound | undefined;
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor, ['instant', 'id']);
    before = { at: at!, id: id! };
  }
  const rows = await read({ limit: page.limit + 1, before });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor: rows.length > page.limit && last ? encodeCursor([last.key.at, last.key.id]) : null,
  };
}
