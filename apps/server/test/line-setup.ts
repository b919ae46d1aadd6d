// Shared setup for the LINE tests: a Kizuna app listening on a real port (the sandbox posts
// webhooks to it), its worker running the LINE jobs, a LINE sandbox, and a channel connecting them.
import { type LineSandbox, type LineSandboxOptions, startLineSandbox } from '@kizuna/line-sandbox';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { JobDefinition } from '../src/jobs/job-types.ts';
import { parseLineHostAllowance } from '../src/line/line-hosts.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers.ts';

export interface LineTestBed extends TestApp {
  line: LineSandbox;
  appUrl: string;
  channelId: string;
  webhookUrl: string;
}

/**
 * The sandbox listens on 127.0.0.1, which a LINE channel may only name when the operator allows
 * it (KIZUNA_LINE_ALLOWED_HOSTS): the test bed allows it explicitly, as a demo's operator would.
 */
export const SANDBOX_HOSTS = parseLineHostAllowance('127.0.0.1', false);

export async function createLineTestBed(
  sandbox: LineSandboxOptions = {},
  jobs: JobDefinition[] = LINE_JOBS,
  options: Omit<TestAppOptions, 'jobs'> = {},
): Promise<LineTestBed> {
  const test = await createTestApp({ lineHosts: SANDBOX_HOSTS, ...options, jobs });
  const address = await test.app.listen({ host: '127.0.0.1', port: 0 });
  const line = await startLineSandbox({ seed: 1, channelSecret: 'test-channel-secret', ...sandbox });
  const response = await test.app.inject({
    method: 'PUT',
    url: '/v1/line/channels/1650000001',
    headers: test.auth,
    payload: {
      name: 'テスト店',
      channelSecret: line.channelSecret,
      accessToken: 'test-access-token-0001',
      apiBaseUrl: line.url,
    },
  });
  if (response.statusCode !== 200) throw new Error(`channel setup failed: ${response.body}`);
  const channel = response.json() as { id: string };
  const webhookUrl = `${address}/line/webhook/${channel.id}`;
  line.configure({ webhookUrl });
  return {
    ...test,
    line,
    appUrl: address,
    channelId: channel.id,
    webhookUrl,
    close: async () => {
      await line.close();
      await test.close();
    },
  };
}

/**
 * Bulk-creates `count` customers who are LINE friends with granted LINE consent, their LINE ids
 * `lineUserId(first)`, `lineUserId(first + 1)`, … (one SQL statement, for sends to thousands).
 * Returns the customer ids in that order.
 */
export async function makeFriends(
  db: Kysely<DB>,
  workspaceId: string,
  first: number,
  count: number,
): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    with s as (select g as n from generate_series(${first}::int, ${first + count - 1}::int) g),
    c as (
      insert into customer (workspace_id, acquisition_source, attributes)
      select ${workspaceId}::uuid, 'line_follow', jsonb_build_object('n', n) from s order by n
      returning id, (attributes->>'n')::int as n),
    i as (
      insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
      select ${workspaceId}::uuid, 'line', '', 'U' || lpad(to_hex(n), 32, '0'), id from c),
    k as (
      insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
      select ${workspaceId}::uuid, id, 'line', 'marketing', 'granted', 'line_follow', now() from c)
    select id from c order by n`.execute(db);
  return rows.map((r) => r.id);
}

/** A PNG of the given size: only the header matters to LINE's (and the sandbox's) size check. */
export function png(width: number, height: number): Buffer {
  const header = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const size = Buffer.alloc(8);
  size.writeUInt32BE(width, 0);
  size.writeUInt32BE(height, 4);
  return Buffer.concat([header, size, Buffer.from('0806000000', 'hex'), Buffer.alloc(64)]);
}
