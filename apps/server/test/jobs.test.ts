// The job system's mechanics (jobs/): a failing job is logged with its queue, id and error (never
// the SQL parameters or the row that broke a constraint) and retried after a backoff while the
// jobs behind it complete; a job out of retries is logged as such and left failed; the worker
// logs the queues that have work waiting; /health/detail shows each queue's depth and age.
import { randomBytes } from 'node:crypto';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { buildApp } from '../src/http/app.ts';
import type { JobDefinition, Jobs } from '../src/jobs/job-types.ts';
import { startJobs } from '../src/jobs/jobs.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';
import { capturingLogger, type LogLine } from './jobs-helpers.ts';
import { newCustomer } from './loyalty-helpers.ts';

const SECRET_EMAIL = 'hanako.secret@example.jp';
const secrets = createSecretBox(randomBytes(32));
const log = capturingLogger();
let database: Database;
let jobs: Jobs;
let ws: string;
let customerId: number;

/** Start instants of each attempt, and the completion instant, by the job's key. */
const attempts = new Map<string, number[]>();
const completed = new Map<string, number>();
let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  openGate = resolve;
});

const DEFINITIONS: JobDefinition[] = [
  {
    // Fails its first `failures` attempts with a real unique violation whose detail names a
    // customer's email address.
    name: 'test-flaky',
    batchSize: 10,
    retry: { limit: 3, delaySeconds: 1, backoff: true, maxDelaySeconds: 60 },
    run: async (data, context) => {
      const { key, failures } = data as { key: string; failures: number };
      const times = [...(attempts.get(key) ?? []), Date.now()];
      attempts.set(key, times);
      if (times.length <= failures)
        await sql`insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
          values (${ws}, 'email', '', ${SECRET_EMAIL}, ${customerId})`.execute(context.database.db);
      completed.set(key, Date.now());
    },
  },
  {
    name: 'test-poison',
    retry: { limit: 1, delaySeconds: 1, backoff: false },
    run: async () => {
      throw new Error('the payload names no order');
    },
  },
  {
    // Holds its first job until the test opens the gate, so that others queue up behind it.
    name: 'test-gated',
    run: async () => gate,
  },
];

beforeAll(async () => {
  database = await createTestDatabase();
  ws = (await newWorkspace(database)).workspaceId;
  customerId = await newCustomer(database, ws);
  await sql`insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
    values (${ws}, 'email', '', ${SECRET_EMAIL}, ${customerId})`.execute(database.db);
  jobs = await startJobs(database, DEFINITIONS, {
    logger: log.logger,
    work: true,
    secrets,
    monitorIntervalMs: 200,
  });
});
afterAll(async () => {
  openGate();
  await jobs?.stop(5_000);
  await database?.close();
});

const failureLines = (jobId: string | null) =>
  log.lines.filter((l) => l.msg.startsWith('job failed') && l.jobId === jobId);
const stateOf = async (queue: string, id: string) => (await jobs.boss.getJobById(queue, id))?.state;

describe('a failing job', () => {
  it('is logged with its queue, id and error, and retried after a backoff while the jobs behind it complete', async () => {
    const failing = await jobs.send('test-flaky', { key: 'F', failures: 2 });
    const behind = ['N1', 'N2', 'N3', 'N4', 'N5'];
    for (const key of behind) await jobs.send('test-flaky', { key, failures: 0 });
    await until(() => [...behind, 'F'].every((k) => completed.has(k)), 'every job done', {
      timeoutMs: 30_000,
    });
    const tries = attempts.get('F')!;
    expect(tries).toHaveLength(3);
    // Backoff: the first retry waits 1–2 s, the second 2–4 s (pg-boss, delay 1 s).
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(900);
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(1_800);
    for (const key of behind) {
      expect(attempts.get(key)).toHaveLength(1);
      expect(completed.get(key)!).toBeLessThan(tries[2]!);
    }
    // The handler records its key before pg-boss marks the job completed in its own table.
    await until(
      async () => (await stateOf('test-flaky', failing!)) === 'completed',
      'the retried job completed in pg-boss',
      { timeoutMs: 15_000 },
    );
    const lines = failureLines(failing);
    expect(lines.map((l) => [l.queue, l.attempt, l.attempts, l.retrying, l.msg])).toEqual([
      ['test-flaky', 1, 4, true, 'job failed; it will be retried after a backoff'],
      ['test-flaky', 2, 4, true, 'job failed; it will be retried after a backoff'],
    ]);
    const err = lines[0]!.err as { code: string; message: string; stack: string };
    expect(err.code).toBe('23505');
    expect(err.message).toMatch(/duplicate key value violates unique constraint/);
    expect(err.stack).toMatch(/duplicate key/);
    // The violating row (Key (…, value)=(…, hanako.secret@…)) and the statement's parameters stay out.
    expect(log.text()).not.toContain('hanako.secret');
    for (const key of ['detail', 'query', 'params', 'parameters', 'where', 'table'])
      expect(Object.keys(lines[0]!.err as object)).not.toContain(key);
  });

  it('is logged as out of retries on its last attempt and left failed', async () => {
    const id = await jobs.send('test-poison', {});
    await until(async () => (await stateOf('test-poison', id!)) === 'failed', 'the job failed for good', {
      timeoutMs: 20_000,
    });
    expect(
      failureLines(id).map((l) => [l.attempt, l.retrying, l.msg, (l.err as { message: string }).message]),
    ).toEqual([
      [1, true, 'job failed; it will be retried after a backoff', 'the payload names no order'],
      [2, false, 'job failed; no retries left', 'the payload names no order'],
    ]);
    const [poison] = (await jobs.queueStats()).filter((q) => q.name === 'test-poison');
    expect(poison).toMatchObject({ ready: 0, deferred: 0, active: 0, failed: 1 });
  });
});

describe('queue depth and age', () => {
  it('are logged by the worker while a queue has work waiting', async () => {
    for (let i = 0; i < 3; i++) await jobs.send('test-gated', { i });
    type Depth = { ready: number; active: number; oldestReadySeconds: number };
    const gatedIn = (l: LogLine) => (l.queues as Record<string, Depth> | undefined)?.['test-gated'];
    // One job running (held at the gate), two waiting behind it.
    const line = await until(
      () =>
        log.lines.find((l) => l.msg === 'job queues' && gatedIn(l)?.active === 1 && gatedIn(l)!.ready >= 2),
      'a log line showing the gated queue',
      { timeoutMs: 20_000 },
    );
    expect(gatedIn(line)!.oldestReadySeconds).toBeGreaterThanOrEqual(0);
    openGate();
    await until(
      async () => (await jobs.queueStats()).find((q) => q.name === 'test-gated')!.ready === 0,
      'the gated queue drained',
      { timeoutMs: 20_000 },
    );
  });

  it('are in /health/detail for an admin key; /health stays as it was', async () => {
    // A queue no process works: its jobs wait, and their age grows.
    const producer = await startJobs(database, [{ name: 'test-idle', run: async () => {} }], {
      logger: pino({ level: 'silent' }),
      work: false,
      secrets,
    });
    const app = await buildApp({ database, logger: false, secrets, jobs: producer });
    try {
      await producer.send('test-idle', { n: 1 });
      await producer.send('test-idle', { n: 2 });
      await producer.send('test-idle', { n: 3 }, { startAfter: new Date(Date.now() + 3_600_000) });
      const owner = await newWorkspace(database, '運営');
      const admin = { authorization: `Bearer ${owner.apiKey}` };
      const detail = await until(
        async () => {
          const res = await app.inject({ url: '/health/detail', headers: admin });
          const idle = res.json().jobs.queues[0];
          return idle.oldestReadySeconds >= 1 ? { res, idle } : undefined;
        },
        'the oldest idle job to be a second old',
        { timeoutMs: 20_000 },
      );
      expect(detail.res.statusCode).toBe(200);
      expect(detail.res.json()).toMatchObject({ status: 'ok', database: database.kind });
      expect(detail.idle).toMatchObject({
        name: 'test-idle',
        ready: 2,
        deferred: 1,
        retrying: 0,
        active: 0,
        failed: 0,
      });
      expect(Date.now() - Date.parse(detail.idle.oldestReadyAt)).toBeGreaterThanOrEqual(900);
      const reader = await createApiKey(database.db, {
        workspaceId: owner.workspaceId,
        name: 'viewer',
        scopes: ['read'],
      });
      const forbidden = await app.inject({
        url: '/health/detail',
        headers: { authorization: `Bearer ${reader.token}` },
      });
      expect(forbidden.statusCode).toBe(403);
      expect((await app.inject({ url: '/health/detail' })).statusCode).toBe(401);
      expect(Object.keys((await app.inject({ url: '/health' })).json()).sort()).toEqual([
        'database',
        'migrationVersion',
        'status',
      ]);
    } finally {
      await app.close();
      await producer.stop(5_000);
    }
  });
});
