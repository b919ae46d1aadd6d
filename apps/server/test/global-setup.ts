// Builds a migrated PGlite template once per test run and hands its path to the test files,
// which load it (about 0.5 s) instead of running initdb and the migrations again (3 to 5 s).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-template-'));
  const file = join(dir, 'template.tar');
  if (!process.env.KIZUNA_TEST_DATABASE_URL) {
    const database = await openDatabase({ kind: 'pglite' });
    await migrate(database);
    // pg-boss creates its schema on first start; do it here so every test file inherits it.
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ ...database.bossOptions, supervise: false, schedule: false });
    await boss.start();
    await boss.stop({ graceful: false });
    const snapshot = await database.dumpDataDir!();
    writeFileSync(file, Buffer.from(await snapshot.arrayBuffer()));
    await database.close();
  }
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
