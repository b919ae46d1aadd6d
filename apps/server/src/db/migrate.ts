import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from './open-database.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
// Any constant shared by every Kizuna process: concurrent starts serialise on it.
const MIGRATION_LOCK = 20_240_101;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The plain SQL migrations shipped with Kizuna, `NNNN_name.sql`, in version order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

async function appliedVersions(database: Database): Promise<Set<number>> {
  await sql`create table if not exists kizuna_migration (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`.execute(database.db);
  const { rows } = await sql<{ version: number }>`select version from kizuna_migration`.execute(database.db);
  return new Set(rows.map((r) => r.version));
}

/**
 * Applies the pending migrations, each in its own transaction together with its ledger row.
 * Safe to run from several processes at once: they serialise on an advisory lock, and a
 * migration another process applied meanwhile is skipped.
 */
export async function migrate(
  database: Database,
  migrations = listMigrations(),
): Promise<{ applied: number[]; version: number }> {
  const applied: number[] = [];
  let done = await appliedVersions(database);
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const name = migration.name.replace(/'/g, "''");
    try {
      await database.runScript(
        `select pg_advisory_xact_lock(${MIGRATION_LOCK});\n` +
          `insert into kizuna_migration (version, name) values (${migration.version}, '${name}');\n${migration.sql}`,
      );
      applied.push(migration.version);
    } catch (error) {
      done = await appliedVersions(database);
      if (!done.has(migration.version)) {
        throw new Error(
          `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  return { applied, version: await currentVersion(database) };
}

/** The highest applied migration version, 0 for an empty database. */
export async function currentVersion(database: Database): Promise<number> {
  const versions = await appliedVersions(database);
  return versions.size ? Math.max(...versions) : 0;
}
