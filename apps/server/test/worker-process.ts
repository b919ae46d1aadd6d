// A `kizuna start` worker in its own process, for tests that kill it with SIGKILL: where its
// database lives (a PGlite directory, or a fresh schema on PostgreSQL) and how to start it.
// (line-reliability.test.ts and email-sigkill.test.ts use it.)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../src/db/open-database.ts';
import { TEST_DATABASE_URL } from './helpers.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');

export interface WorkerStore {
  /** Opens the store from the test process (PGlite: only while no worker holds it). */
  open: () => Promise<Database>;
  /** The environment that points a worker at the same store. */
  env: NodeJS.ProcessEnv;
}

/** A PGlite directory, or a fresh schema on PostgreSQL; `cleanups` removes it afterwards. */
export async function prepareWorkerStore(
  prefix: string,
  cleanups: (() => Promise<void> | void)[],
): Promise<WorkerStore> {
  if (!TEST_DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), `kizuna-${prefix}-`));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return { open: () => openDatabase({ kind: 'pglite', dataDir }), env: { KIZUNA_DATA_DIR: dataDir } };
  }
  const url = TEST_DATABASE_URL;
  const schema = `t_${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  cleanups.push(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    await sql`drop schema if exists ${sql.id(`${schema}_boss`)} cascade`.execute(admin.db);
    await admin.close();
  });
  return {
    open: () => openDatabase({ kind: 'postgres', url, schema, poolSize: 4 }),
    env: { DATABASE_URL: url, KIZUNA_DATABASE_SCHEMA: schema },
  };
}

export interface WorkerProcess {
  worker: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts `kizuna start` as a worker only (KIZUNA_API=false); each stdout line goes to `onLine`. */
export function startWorker(env: NodeJS.ProcessEnv, onLine: (line: string) => void): WorkerProcess {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    KIZUNA_API: 'false',
    KIZUNA_LOG_LEVEL: process.env.KIZUNA_TEST_TRACE ? 'debug' : 'info',
  };
  // The test's own database URL must not leak into a PGlite worker.
  delete base.DATABASE_URL;
  const worker = spawn(process.execPath, [bin, 'start'], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  worker.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
  return { worker, exited };
}
