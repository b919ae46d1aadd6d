// Building blocks of response schemas, so every route states the JSON convention the same way:
// camelCase names, instants as ISO 8601 strings with an offset, money as integer yen.
import { type TSchema, Type } from 'typebox';

/** `T` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An instant: ISO 8601 with an offset (`2026-01-31T14:30:00.000Z`). */
export const Instant = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** An amount of money in integer yen. */
export const Yen = (description = 'Integer yen') => Type.Integer({ description });

/** One page of a list: the items and the cursor of the next page (null on the last one). */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` to read the next page; null on the last page',
    }),
  });

/** A JSON object whose keys are not fixed (stored documents, per-step timings). */
export const FreeObject = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description });
