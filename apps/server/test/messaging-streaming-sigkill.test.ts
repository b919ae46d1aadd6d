// A large send's outbox writer killed with SIGKILL between its chunks (PostgreSQL: the writer is
// another process, watched from this one). A repeat of the same request finishes the outbox from
// the writer's last commit and the delivery sends every recipient exactly one copy.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { saveChannel } from '../src/line/channels.ts';
import { deliverSend } from '../src/line/deliver-send.ts';
import { parseLineHostAllowance } from '../src/line/line-hosts.ts';
import { createSend, getSend } from '../src/line/sends.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { lineUserId, newWorkspace, TEST_DATABASE_URL } from './helpers.ts';
import { makeFriends } from './line-setup.ts';
import { prepareWorkerStore } from './worker-process.ts';

const RECIPIENTS = 40_000;
let line: LineSandbox | undefined;
let child: ChildProcess | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  child?.kill('SIGKILL');
  await line?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!TEST_DATABASE_URL)('a streamed outbox survives its writer killed (PostgreSQL)', () => {
  it('SIGKILL between chunks; the repeated request finishes the outbox; every recipient gets one copy', {
    timeout: 240_000,
  }, async () => {
    line = await startLineSandbox({ seed: 3, record: 'counts' });
    const store = await prepareWorkerStore('stream', cleanups);
    const database = await store.open();
    cleanups.push(() => database.close());
    await migrate(database);
    const ws = (await newWorkspace(database)).workspaceId;
    const secrets = createSecretBox(randomBytes(32));
    const lineHosts = parseLineHostAllowance('127.0.0.1', false);
    const channel = await saveChannel(
      database.db,
      secrets,
      'http://localhost',
      ws,
      {
        lineChannelId: '1650000077',
        channelSecret: line.channelSecret,
        accessToken: 'stream-token',
        apiBaseUrl: line.url,
      },
      lineHosts,
    );
    const ids = await makeFriends(database.db, ws, 1, RECIPIENTS);

    let opened = false;
    child = spawn(process.execPath, [join(import.meta.dirname, 'stream-writer-child.ts')], {
      env: {
        ...process.env,
        KIZUNA_STREAM_CHILD: JSON.stringify({
          url: TEST_DATABASE_URL,
          schema: store.env.KIZUNA_DATABASE_SCHEMA,
          workspaceId: ws,
          channelId: channel.id,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('opened')) opened = true;
    });
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    const cursor = async () =>
      (
        await sql<{ written_through: number; rows_written: number; input_total: number }>`
          select written_through, rows_written, input_total from message_send_writing w
          join message_send s on s.workspace_id = w.workspace_id and s.id = w.send_id
          where s.workspace_id = ${ws} and s.idempotency_key = 'killed-writer'`.execute(database.db)
      ).rows[0];
    // Killed once a few thousand recipients are written, well before the end (400 commits).
    await until(async () => ((await cursor())?.written_through ?? 0) >= 4_000, 'the writer past 4,000', {
      timeoutMs: 120_000,
      intervalMs: 2,
    });
    child.kill('SIGKILL');
    await exited;
    child = undefined;
    expect(opened).toBe(true);
    const atKill = await cursor();
    // Not finished: the writer died mid-outbox, its last transaction rolled back.
    expect(atKill).toBeDefined();
    expect(atKill!.written_through).toBeLessThan(RECIPIENTS);
    const { rows: written } = await sql<{ n: number }>`select count(*)::int as n from message_outbox o
      join message_send s on s.workspace_id = o.workspace_id and s.id = o.send_id
      where s.workspace_id = ${ws} and s.idempotency_key = 'killed-writer'`.execute(database.db);
    // What the writers committed is what their record says (chunks commit with their record).
    expect(written[0]!.n).toBe(atKill!.rows_written);

    // The request repeated (a client retrying after the lost response), delivered as it is written.
    const context = { database, secrets, logger: pino({ level: 'silent' }), lineHosts };
    let delivery: Promise<string> | undefined;
    const send = await createSend(
      database.db,
      undefined,
      ws,
      {
        channelId: channel.id,
        idempotencyKey: 'killed-writer',
        messages: [{ type: 'text', text: '年末年始の営業のお知らせ' }],
        customerIds: ids,
      },
      {
        onOpened: async (sendId) => {
          delivery = deliverSend(context, ws, sendId);
        },
      },
    );
    expect(await delivery).toBe('done');
    expect(send.total).toBe(RECIPIENTS);
    const { rows } = await sql<{
      seq: number;
      customer_id: string;
    }>`select seq, customer_id from message_outbox
      where workspace_id = ${ws} and send_id = ${send.id} order by seq`.execute(database.db);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: RECIPIENTS }, (_, i) => i));
    expect(rows.map((r) => Number(r.customer_id))).toEqual(ids);
    const final = await getSend(database.db, ws, send.id);
    expect(final).toMatchObject({
      status: 'done',
      counts: { queued: 0, sent: RECIPIENTS, failed: 0, skipped: 0 },
    });
    const stats = line.stats();
    expect(stats.deliveries).toBe(RECIPIENTS);
    expect(stats.duplicateRecipients).toBe(0);
    const wrong = Array.from({ length: RECIPIENTS }, (_, i) => i + 1).filter(
      (n) => line!.receivedCount(lineUserId(n)) !== 1,
    );
    expect(wrong).toEqual([]);
  });
});
