// The Must-show reliability run: a send of 20,000 recipients with 5% injected 5xx and 429 bursts,
// its worker (a separate `kizuna start` process, worker only) killed with SIGKILL mid-send and
// started again. The sandbox must have recorded exactly one copy for every recipient.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { until } from '@kizuna/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { saveChannel } from '../src/line/channels.ts';
import { parseLineHostAllowance } from '../src/line/line-hosts.ts';
import { createSend, getSend } from '../src/line/sends.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { lineUserId, newWorkspace, TEST_DATABASE_URL } from './helpers.ts';
import { makeFriends } from './line-setup.ts';
import { prepareWorkerStore, startWorker } from './worker-process.ts';

const RECIPIENTS = 20_000;
const PERSONALISED = 4_000; // pushes: they make the send long enough to kill mid-way
const key = randomBytes(32).toString('hex');

let line: LineSandbox | undefined;
let child: ChildProcess | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  child?.kill('SIGKILL');
  await line?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe(`LINE delivery survives a killed worker (${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('20,000 recipients, 5% 5xx, 429 bursts, SIGKILL mid-send: every recipient gets exactly one copy', {
    timeout: 480_000,
  }, async () => {
    const t0 = Date.now();
    const log = (m: string) =>
      process.env.KIZUNA_TEST_TRACE &&
      console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${m} deliveries=${line?.stats().deliveries}`);
    line = await startLineSandbox({
      seed: 42,
      record: 'counts',
      faults: { seed: 42, errorRate: 0.05, burstRate: 0.01, burstLength: 10 },
    });
    const store = await prepareWorkerStore('line', cleanups);
    // The operator's allowance for the sandbox's host (LINE's hosts only without it).
    const env = { ...store.env, KIZUNA_SECRET_KEY: key, KIZUNA_LINE_ALLOWED_HOSTS: '127.0.0.1' };
    let database = await store.open();
    await migrate(database);
    const workspace = await newWorkspace(database);
    const ws = workspace.workspaceId;
    const channel = await saveChannel(
      database.db,
      createSecretBox(Buffer.from(key, 'hex')),
      'http://localhost',
      ws,
      {
        lineChannelId: '1650000099',
        channelSecret: line.channelSecret,
        accessToken: 'reliability-token',
        apiBaseUrl: line.url,
      },
      parseLineHostAllowance('127.0.0.1', false),
    );
    const ids = await makeFriends(database.db, ws, 1, RECIPIENTS);
    const shared = ids.slice(0, RECIPIENTS - PERSONALISED);
    const send = await createSend(database.db, undefined, ws, {
      channelId: channel.id,
      idempotencyKey: 'reliability',
      messages: [{ type: 'text', text: '冬のキャンペーンのお知らせ' }],
      customerIds: shared,
      personalized: ids
        .slice(shared.length)
        .map((id) => ({ customerId: id, messages: [{ type: 'text', text: `${id} 様へ` }] })),
    });
    expect(send.total).toBe(RECIPIENTS);
    // PGlite is one process's database: hand it to the worker.
    await database.close();
    log('prepared');

    let done = false;
    const first = startWorker(env, (l) => log(l.slice(0, 200)));
    child = first.worker;
    // Kill it once a good part, but not all, of the send has gone out.
    await until(() => line!.stats().deliveries >= RECIPIENTS * 0.3, 'first worker delivering', {
      // Generous: a wait on a condition, not a timing claim; CI machines are sometimes shared.
      timeoutMs: 180_000,
    });
    first.worker.kill('SIGKILL');
    await first.exited;
    const atKill = line.stats().deliveries;
    log('killed');
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = startWorker(env, (l) => {
      log(l.slice(0, 200));
      if (l.includes('LINE send done')) done = true;
    });
    child = second.worker;
    await until(() => done, 'second worker finishing the send', { timeoutMs: 240_000 });
    second.worker.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    child = undefined;

    const stats = line.stats();
    expect(stats.faults.errors).toBeGreaterThan(0);
    expect(stats.faults.rateLimited).toBeGreaterThan(0);
    expect(stats.deliveries).toBeGreaterThan(atKill);
    expect(stats.duplicateRecipients).toBe(0);
    expect(stats.deliveries).toBe(RECIPIENTS);
    const missing = Array.from({ length: RECIPIENTS }, (_, i) => i + 1).filter(
      (n) => line!.receivedCount(lineUserId(n)) !== 1,
    );
    expect(missing).toEqual([]);

    database = await store.open();
    cleanups.push(() => database.close());
    const final = await getSend(database.db, ws, send.id);
    expect(final.status).toBe('done');
    expect(final.counts).toEqual({ queued: 0, sent: RECIPIENTS, failed: 0, skipped: 0 });
  });
});
