// Query-string pieces the cursor-paginated read APIs share (see page-cursor.ts).
import { Type } from 'typebox';
import { type FieldProblem, invalid } from './domain-error.ts';

/** `limit`: 1..200, default 50. */
export const PageLimit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1–200)' }),
);

/** `cursor`: the previous page's nextCursor, as is. */
export const PageCursor = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 400,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'nextCursor from the previous page (opaque)',
  }),
);

/** An instant bound of a time range; `from` is inclusive, `to` exclusive. */
export const RangeBound = (description: string) =>
  Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description }));

/**
 * A text filter. PostgreSQL text cannot hold NUL, so a NUL (or any control character) is refused
 * here, as a 400 on the field, instead of failing in the database.
 */
export const TextFilter = (maxLength: number, description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f]+$', description }));

/**
 * A bigint row id in a path or query. Ids past 2^53 cannot be told apart as JSON numbers, and no
 * identity column comes near it, so the bound is the largest safe integer: anything beyond is a
 * 400 on the field, not a PostgreSQL range error.
 */
export const RowId = (description: string) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

export const Page = <T extends import('typebox').TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  });

/**
 * The instants of a `from`/`to` query, checked: each within the years PostgreSQL and JavaScript
 * both keep (a `0000-…` timestamp is valid ISO 8601 but not a PostgreSQL timestamptz), and `from`
 * not after `to`. Each problem names its query field.
 */
export function parseRange(range: { from?: string | undefined; to?: string | undefined }): {
  from?: Date;
  to?: Date;
} {
  const problems: FieldProblem[] = [];
  const out: { from?: Date; to?: Date } = {};
  for (const key of ['from', 'to'] as const) {
    const text = range[key];
    if (text === undefined) continue;
    const date = new Date(text);
    const year = date.getUTCFullYear();
    if (Number.isNaN(date.getTime()) || year < 1 || year > 9999)
      problems.push({ path: `querystring.${key}`, message: 'not an instant between years 1 and 9999' });
    else out[key] = date;
  }
  if (out.from && out.to && out.from > out.to)
    problems.push({ path: 'querystring.to', message: 'is before from' });
  if (problems.length) throw invalid(problems);
  return out;
}
