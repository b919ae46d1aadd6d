// Prepared statements for the hottest queries. PostgreSQL parses, analyses and plans every
// statement it receives as text; for a WITH statement of several data-modifying clauses that
// costs more server CPU than executing it (bench/loyalty: an earn spent about 0.8 ms of backend
// CPU as text and about 0.3 ms prepared). A statement wrapped in `prepared()` is sent once per
// connection as a named statement and executed by name afterwards, so PostgreSQL reuses its plan.
//
// Only for statements whose SQL text is fixed (values are parameters, no optional fragments), run
// often. Every distinct text becomes one named statement on every pooled connection for the
// connection's lifetime. PGlite ignores the marker (it is a comment).
import { createHash } from 'node:crypto';
import {
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type RawBuilder,
  sql,
} from 'kysely';
import pg from 'pg';

const NAME = /^[a-z][a-z0-9_.]{0,40}$/;
const MARKER = /^\/\* prepared ([a-z][a-z0-9_.]{0,40}) \*\//;

/**
 * Marks a statement to be prepared once per connection.
 *
 * @example
 * const { rows } = await prepared('loyalty.earn', sql`update loyalty_member set … where …`).execute(db);
 */
export function prepared<T>(name: string, query: RawBuilder<T>): RawBuilder<T> {
  if (!NAME.test(name)) throw new Error(`prepared statement name ${name}: lower case, digits, _ and .`);
  return sql<T>`/* prepared ${sql.raw(name)} */ ${query}`;
}

// The marker's name plus a digest of the text: a name is never reused for a different text (which
// node-postgres refuses), even when two statements pick the same marker.
const names = new Map<string, string>();
function statementName(text: string): string | undefined {
  // Unmarked texts (most, and unbounded: batches, IN lists) are neither hashed nor remembered.
  if (!text.startsWith('/* prepared ')) return undefined;
  let name = names.get(text);
  if (name === undefined) {
    const marker = MARKER.exec(text)?.[1];
    if (!marker) return undefined;
    name = `${marker}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
    names.set(text, name);
  }
  return name;
}

/** A pg pool for Kysely's PostgresDialect that sends marked statements as named statements. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps one connection object per client it gets, so each client keeps one wrapper.
  const wrappers = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    // Kysely opens a client of this class to cancel a query.
    Client: pg.Client,
    options: pool.options,
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = new PreparingClient(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  constructor(client: pg.PoolClient) {
    this.#client = client;
  }
  /** Kysely reads the backend pid (undocumented in pg's types) to cancel a query. */
  get processID(): number | undefined {
    return (this.#client as { processID?: number }).processID;
  }
  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    textOrCursor: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // A cursor is a pg Submittable; pg's types do not know Kysely's cursor interface.
    if (typeof textOrCursor !== 'string') return this.#client.query(textOrCursor as never);
    const name = statementName(textOrCursor);
    const values = [...parameters];
    const result = name
      ? this.#client.query<R & pg.QueryResultRow>({ name, text: textOrCursor, values })
      : this.#client.query<R & pg.QueryResultRow>(textOrCursor, values);
    // pg types `command` as any string; Kysely's interface lists the ones it reads.
    return result as Promise<PostgresQueryResult<R>>;
  }
  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}
