// Column types the table interfaces share (each capability's *-tables.ts).
import type { ColumnType, Generated } from 'kysely';

/** Read as a Date; written as a Date or an ISO string; left out on insert where it has a default. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A jsonb object: read parsed; written as a JSON string or an object. */
export type Json = ColumnType<
  Record<string, unknown>,
  string | Record<string, unknown> | undefined,
  string | Record<string, unknown>
>;

/** A bigint identity column. */
export type Id = Generated<number>;
