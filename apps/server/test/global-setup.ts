// Builds a migrated PGlite template and hands its path to the test files, which load it (about
// 0.5 s) instead of running initdb and the migrations again (3 to 5 s).
//
// The template is named after what it is made of (the migrations, PGlite's and pg-boss's versions)
// and kept in the temporary directory: the server, console and LIFF projects each run this setup,
// and a second run of the suite on the same machine finds it too, so initdb and the migrations
// (about 10 s of CPU, 20 s at load 15) run once instead of three times per `./kizuna test`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { listMigrations, migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

const PREFIX = 'kizuna-test-template-';
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the template holds, as a hash: a change to any migration or either library makes a new one. */
function templateKey(): string {
  const require = createRequire(import.meta.url);
  // The package.json above the package's entry (PGlite does not export its package.json).
  const version = (name: string) => {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  };
  const hash = createHash('sha256');
  hash.update(`pglite ${version('@electric-sql/pglite')}\npg-boss ${version('pg-boss')}\n`);
  for (const m of listMigrations()) hash.update(`${m.version} ${m.name}\n${m.sql}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function buildTemplate(file: string): Promise<void> {
  const database = await openDatabase({ kind: 'pglite' });
  try {
    await migrate(database);
    // pg-boss creates its schema on first start; do it here so every test file inherits it.
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ ...database.bossOptions, supervise: false, schedule: false });
    await boss.start();
    await boss.stop({ graceful: false });
    const snapshot = await database.dumpDataDir!();
    // Written aside and renamed: a concurrent setup (another project, another run) never reads half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await snapshot.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await database.close();
  }
}

/** Templates of other migration sets left by earlier runs, once they are a day old. */
function removeStaleTemplates(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX) || name === keep) continue;
    const path = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

let building: Promise<string> | undefined;

function template(): Promise<string> {
  building ??= (async () => {
    const name = `${PREFIX}${templateKey()}.tar`;
    const file = join(tmpdir(), name);
    if (!existsSync(file)) {
      await buildTemplate(file);
      removeStaleTemplates(name);
    }
    return file;
  })();
  return building;
}

export default async function setup(project: TestProject): Promise<void> {
  // On PostgreSQL each test file migrates its own fresh schema (test/helpers.ts); the path is unused.
  const file = process.env.KIZUNA_TEST_DATABASE_URL ? '' : await template();
  project.provide('pgliteTemplate', file);
}
