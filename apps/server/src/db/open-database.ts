// The one seam to the database. Kizuna opens either the embedded PGlite (a data directory on
// disk) or a real PostgreSQL here, and nothing else in the code base knows which one it got:
// callers receive a Kysely instance and a pg-boss constructor option set.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogEvent, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type ConstructorOptions, fromPglite } from 'pg-boss';
import { statementName } from '../shared/log-serializers.ts';
import { type BulkTransaction, pgliteBulkTransaction, postgresBulkTransaction } from './bulk-transaction.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { prepareDataDir, tightenDataDir } from './data-dir-security.ts';
import { preparingPool } from './prepared-statements.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<DB>;
  /** Options that point a pg-boss instance at the same database. */
  readonly bossOptions: Pick<ConstructorOptions, 'db' | 'backend' | 'connectionString' | 'schema' | 'max'>;
  /** A snapshot of the embedded database (PGlite only), for test templates and backups. */
  dumpDataDir?: () => Promise<Blob>;
  /** Runs a multi-statement SQL script (a migration) in one transaction. */
  runScript(script: string): Promise<void>;
  /** One transaction on one connection that can also COPY rows in (bulk imports). */
  readonly bulkTransaction: BulkTransaction;
  close(): Promise<void>;
}

export type OpenDatabaseOptions =
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob; lock?: boolean };

// Type parsers shared by both backends so that rows look the same whichever database is open:
// int8 and numeric as JS numbers (yen amounts and counts stay far below 2^53), `date` as the
// plain 'YYYY-MM-DD' string (node-postgres would otherwise build a Date at local midnight).
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parsers: Record<number, (value: string) => unknown> = {
  [INT8]: (v) => Number(v),
  [NUMERIC]: (v) => Number(v),
  [DATE]: (v) => v,
};

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      const parse = parsers[oid];
      return parse ?? pg.types.getTypeParser(oid, format);
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/**
 * Names the failed statement on its error (`insert into customer_identity`), the same on both
 * backends, so the log can say which statement failed without its text or values (node-postgres
 * errors carry neither; PGlite's carry both, and the log serializer drops them).
 */
function nameFailedStatement(event: LogEvent): void {
  if (event.level !== 'error' || typeof event.error !== 'object' || event.error === null) return;
  const statement = statementName(event.query.sql);
  if (statement) Object.defineProperty(event.error, 'statement', { value: statement, configurable: true });
}

/** Opens the database named by the options. The caller owns the result and must close it. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') return openPostgres(options);
  return openPglite(options);
}

function openPostgres(options: { url: string; schema?: string; poolSize?: number }): Database {
  const schema = options.schema;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: pgTypes(),
    // A per-test schema (or a deployment's own) goes first on the search path of every connection.
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: preparingPool(pool) }),
    log: nameFailedStatement,
  });
  return {
    kind: 'postgres',
    db,
    bossOptions: { connectionString: options.url, schema: schema ? `${schema}_boss` : 'pgboss', max: 4 },
    bulkTransaction: postgresBulkTransaction(pool, nameFailedStatement),
    runScript: async (script) => {
      const client = await pool.connect();
      try {
        // The simple query protocol runs several statements in one implicit transaction.
        await client.query(`begin;\n${script}\n;commit;`);
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

async function openPglite(options: {
  dataDir?: string;
  loadDataDir?: Blob;
  lock?: boolean;
}): Promise<Database> {
  let release: (() => void) | undefined;
  if (options.dataDir) {
    // Checked before anything is written: the directory is this user's, 0700, and the umask 077.
    prepareDataDir(options.dataDir);
    // PGlite is one process's database: a second process on the same directory corrupts it.
    if (options.lock !== false) release = acquireDataDirLock(options.dataDir);
  }
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  try {
    // PGlite sets 0666 on the files of a new cluster whatever the umask, and older Kizuna
    // versions left them so. Nobody else could enter the 0700 directory meanwhile.
    if (options.dataDir) tightenDataDir(options.dataDir);
  } catch (error) {
    await pglite.close();
    release?.();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), log: nameFailedStatement });
  return {
    kind: 'pglite',
    db,
    bossOptions: { db: fromPglite(pglite), backend: 'pglite', schema: 'pgboss' },
    dumpDataDir: () => pglite.dumpDataDir('none'),
    bulkTransaction: pgliteBulkTransaction(pglite, nameFailedStatement),
    runScript: async (script) => {
      await pglite.transaction(async (tx) => {
        await tx.exec(script);
      });
    },
    close: async () => {
      await db.destroy();
      release?.();
    },
  };
}

/** Opens PostgreSQL when `databaseUrl` is set, else the embedded database in `dataDir`. */
export function openConfiguredDatabase(config: {
  databaseUrl: string | undefined;
  databaseSchema?: string | undefined;
  dataDir: string;
}): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({
        kind: 'postgres',
        url: config.databaseUrl,
        ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
      })
    : openDatabase({ kind: 'pglite', dataDir: config.dataDir });
}
