// Bulk loads: one transaction on one connection that can also run COPY ... FROM. Only the
// database seam (open-database.ts) calls these; callers receive `BulkTransaction` and never learn
// which backend they got.
//
// PostgreSQL: a client is taken from the pool for the whole transaction, a Kysely instance is
// pinned to it, and COPY streams through pg-copy-streams on the same client (temp tables and the
// open transaction are per connection, so both must share it).
//
// PGlite: COPY reads a Blob through its /dev/blob device, and only inside the transaction that is
// open: a `pglite.query` outside it would wait for that very transaction to end (PGlite runs
// queries exclusively of transactions). Kysely's PGlite dialect does not expose its transaction
// object, so a pass-through stand-in for the PGlite instance captures it as Kysely opens it.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  Kysely,
  type LogEvent,
  PGliteDialect,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type Transaction,
} from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DB } from './schema.ts';

/**
 * Loads rows in COPY's text format (tab-separated, `\N` for NULL, see `copyField`) into
 * `table (columns)`. `chunks` must end each row with a newline; a chunk holds whole rows.
 */
export type CopyIn = (
  table: string,
  columns: readonly string[],
  chunks: AsyncIterable<string>,
) => Promise<void>;

/** Runs `work` in one transaction that commits when it returns and rolls back when it throws. */
export type BulkTransaction = <T>(work: (tx: Transaction<DB>, copyIn: CopyIn) => Promise<T>) => Promise<T>;

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function copyStatement(table: string, columns: readonly string[], source: string): string {
  for (const name of [table, ...columns])
    if (!NAME.test(name)) throw new Error(`COPY: ${name} is not a plain lower-case SQL name`);
  return `copy ${table} (${columns.join(', ')}) from ${source}`;
}

/**
 * One field in COPY's text format: backslash, tab, newline and carriage return escaped; null and
 * undefined are `\N`.
 */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;
}

/** A pool of exactly one client, which Kysely must not release to the real pool. */
function pinnedPool(client: pg.PoolClient, options: object): PostgresPool {
  const connection: PostgresPoolClient = {
    // pg's overloads are wider than Kysely's interface; the call shapes Kysely uses are pg's.
    query: ((...args: Parameters<pg.PoolClient['query']>) =>
      client.query(...args)) as PostgresPoolClient['query'],
    release: () => undefined,
  };
  return { connect: async () => connection, end: async () => undefined, options };
}

export function postgresBulkTransaction(pool: pg.Pool, log: (event: LogEvent) => void): BulkTransaction {
  return async (work) => {
    const client = await pool.connect();
    const pinned = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: pinnedPool(client, pool.options) }),
      log,
    });
    // A COPY cut off mid-stream can leave the protocol out of step: such a client is closed
    // rather than returned to the pool.
    let broken = false;
    try {
      const copyIn: CopyIn = async (table, columns, chunks) => {
        const stream = client.query(copyFrom(copyStatement(table, columns, 'stdin')));
        broken = true;
        await pipeline(Readable.from(chunks), stream);
        broken = false;
      };
      return await pinned.transaction().execute((tx) => work(tx, copyIn));
    } finally {
      await pinned.destroy();
      client.release(broken);
    }
  };
}

/** Rows are sent in blobs of about this many characters, so memory stays flat. */
const PGLITE_BLOB_CHARS = 8 << 20;

export function pgliteBulkTransaction(pglite: PGlite, log: (event: LogEvent) => void): BulkTransaction {
  return async (work) => {
    let open: PGliteTransaction | undefined;
    // The stand-in passes everything to the real instance; `transaction` notes the open
    // transaction, and `close` does nothing (the instance belongs to the Database).
    const standIn = {
      get closed() {
        return pglite.closed;
      },
      get ready() {
        return pglite.ready;
      },
      waitReady: pglite.waitReady,
      query: pglite.query.bind(pglite),
      transaction: <T>(callback: (tx: PGliteTransaction) => Promise<T>) =>
        pglite.transaction(async (tx) => {
          open = tx;
          try {
            return await callback(tx);
          } finally {
            open = undefined;
          }
        }),
      close: async () => undefined,
    };
    // The stand-in has the members Kysely's PGlite driver uses (closed, ready, waitReady, query,
    // transaction, close), not PGlite's whole class.
    const kysely = new Kysely<DB>({
      dialect: new PGliteDialect({ pglite: standIn as unknown as PGlite }),
      log,
    });
    const copyIn: CopyIn = async (table, columns, chunks) => {
      const statement = copyStatement(table, columns, `'/dev/blob'`);
      let parts: string[] = [];
      let size = 0;
      const flush = async () => {
        if (!open) throw new Error('COPY outside the bulk transaction');
        if (size) await open.query(statement, [], { blob: new Blob(parts) });
        parts = [];
        size = 0;
      };
      for await (const chunk of chunks) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= PGLITE_BLOB_CHARS) await flush();
      }
      await flush();
    };
    try {
      return await kysely.transaction().execute((tx) => work(tx, copyIn));
    } finally {
      await kysely.destroy();
    }
  };
}
