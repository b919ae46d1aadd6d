// Shared setup for the LINE tests: a Kizuna app listening on a real port (the sandbox posts
// webhooks to it), its worker running the LINE jobs, a LINE sandbox, and a channel connecting them.
import { type LineSandbox, type LineSandboxOptions, startLineSandbox } from '@kizuna/line-sandbox';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { createTestApp, type TestApp } from './helpers.ts';

export interface LineTestBed extends TestApp {
  line: LineSandbox;
  appUrl: string;
  channelId: string;
  webhookUrl: string;
}

export async function createLineTestBed(sandbox: LineSandboxOptions = {}): Promise<LineTestBed> {
  const test = await createTestApp({ jobs: LINE_JOBS });
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

/** Waits until `check` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function until<T>(
  check: () => T,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<Awaited<T>>; // truthy, so not null or undefined
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
