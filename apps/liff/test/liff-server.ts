// The server side of a LIFF browser test: the real app listening on a loopback port, the LINE
// sandbox (its LINE Login mints the ID tokens), a channel and a LIFF app connected to both, and a
// staff helper that calls the API as the workspace's owner.
import type { AddressInfo } from 'node:net';
import { startLineSandbox } from '@kizuna/line-sandbox';
import { expect } from 'vitest';
import { createTestApp } from '../../server/test/helpers.ts';
import { SANDBOX_HOSTS } from '../../server/test/line-setup.ts';

/** The running server, the sandbox and the staff helper (`staff` fails the test on a non-2xx). */
export type LiffServer = Awaited<ReturnType<typeof startLiffServer>>;

/** `seed` also numbers the channel (`165000…{seed}`), so each test file has its own. */
export async function startLiffServer(liffId: string, seed: number) {
  const t = await createTestApp({ lineHosts: SANDBOX_HOSTS });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const line = await startLineSandbox({ seed });
  const staff = async (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) => {
    const res = await t.app.inject({ method, url: path, headers: t.auth, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${path}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  const n = String(seed).padStart(4, '0');
  const channel = await staff('PUT', `/v1/line/channels/165000${n}`, {
    channelSecret: `secret-${n}`,
    accessToken: `token-${n}`,
    apiBaseUrl: line.url,
  });
  await staff('PUT', `/v1/liff/apps/${channel.id}`, {
    liffId,
    loginChannelId: line.login.channelId,
    loginChannelSecret: `login-secret-${n}`,
  });
  return {
    t,
    line,
    url,
    staff,
    close: async () => {
      await line.close();
      await t.close();
    },
  };
}
