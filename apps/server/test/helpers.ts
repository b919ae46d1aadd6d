// Test databases: a fresh migrated PGlite per test file (loaded from the template that
// global-setup built), or, with KIZUNA_TEST_DATABASE_URL, a fresh schema on that PostgreSQL.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { type Database, openDatabase } from '../src/db/open-database.ts';
import type { EmailRuntime } from '../src/email/smtp-settings.ts';
import { type App, buildApp } from '../src/http/app.ts';
import type { JobDefinition, Jobs } from '../src/jobs/job-types.ts';
import { startJobs } from '../src/jobs/jobs.ts';
import type { SimulatedTime } from '../src/jobs/simulated-time.ts';
import { LINE_HOSTS_ONLY, type LineHostAllowance } from '../src/line/line-hosts.ts';
import { createSecretBox, type SecretBox } from '../src/shared/secret-box.ts';
import { type InitResult, initWorkspace } from '../src/workspaces/workspaces.ts';

export const TEST_DATABASE_URL = process.env.KIZUNA_TEST_DATABASE_URL;

/** With `migrated: false`, an empty database (to test the migrations themselves). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<Database> {
  const migrated = options.migrated ?? true;
  if (!TEST_DATABASE_URL) {
    if (!migrated) return openDatabase({ kind: 'pglite' });
    const template = readFileSync(inject('pgliteTemplate'));
    return openDatabase({ kind: 'pglite', loadDataDir: new Blob([template]) });
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 20 });
  if (migrated) await migrate(database);
  const close = database.close;
  return {
    ...database,
    close: async () => {
      await close();
      // KIZUNA_KEEP_TEST_SCHEMA=1 keeps the schema for inspection after a failure.
      if (process.env.KIZUNA_KEEP_TEST_SCHEMA) return;
      const cleanup = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, poolSize: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(cleanup.db);
      await sql`drop schema if exists ${sql.id(`${schema}_boss`)} cascade`.execute(cleanup.db);
      await cleanup.close();
    },
  };
}

export interface TestApp {
  app: App;
  database: Database;
  jobs: Jobs | undefined;
  /** The box the app and its worker seal secrets with (to call job code directly). */
  secrets: SecretBox;
  /** The hosts besides LINE's that the app and its worker let LINE channels use. */
  lineHosts: LineHostAllowance;
  /** A workspace with an owner and a full-scope API key. */
  workspace: InitResult;
  /** Headers that authenticate as the workspace's API key. */
  auth: { authorization: string };
  close(): Promise<void>;
}

let counter = 0;

export interface TestAppOptions {
  /** Start pg-boss on the test database with these jobs (default: no job system). */
  jobs?: JobDefinition[];
  /** Run the jobs' handlers in this process (default true); false only queues them. */
  work?: boolean;
  /** The URL the app says it is reached at (default http://localhost:3000). */
  publicUrl?: string;
  /** Hosts besides LINE's that LINE channels may use (the operator setting; default none). */
  lineHosts?: LineHostAllowance;
  /** The worker's logger (default: silent). */
  logger?: Logger;
  /**
   * Simulated business time (jobs/simulated-time.ts) for the app and the worker, as with
   * KIZUNA_CLOCK=simulated: POST /v1/dev/clock and `time.advanceBy` move it. Default: the wall clock.
   */
  simulatedTime?: SimulatedTime;
  /** The SMTP relay email delivery and test sends use (default: none configured). */
  email?: EmailRuntime;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // The API and the worker share one key, as in `kizuna start`.
  const secrets = createSecretBox(randomBytes(32));
  const lineHosts = options.lineHosts ?? LINE_HOSTS_ONLY;
  const jobs = options.jobs
    ? await startJobs(database, options.jobs, {
        logger: options.logger ?? pino({ level: 'silent' }),
        work: options.work ?? true,
        secrets,
        lineHosts,
        ...(options.simulatedTime ? { simulatedTime: options.simulatedTime } : {}),
        ...(options.email ? { email: options.email } : {}),
      })
    : undefined;
  const app = await buildApp({
    database,
    logger: false,
    secrets,
    lineHosts,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.email ? { email: options.email } : {}),
    ...(jobs ? { jobs } : {}),
    ...(options.simulatedTime ? { clockControl: options.simulatedTime } : {}),
  });
  const workspace = await newWorkspace(database);
  return {
    app,
    database,
    jobs,
    secrets,
    lineHosts,
    workspace,
    auth: { authorization: `Bearer ${workspace.apiKey}` },
    close: async () => {
      await app.close();
      await jobs?.stop(5_000);
      await database.close();
    },
  };
}

export async function newWorkspace(database: Database, name = 'テスト店'): Promise<InitResult> {
  counter++;
  return initWorkspace(database.db, {
    name,
    ownerEmail: `owner${counter}-${randomBytes(3).toString('hex')}@example.jp`,
  });
}

export function lineUserId(n: number): string {
  return `U${n.toString(16).padStart(32, '0')}`;
}
