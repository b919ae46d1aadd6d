// The LINE setup screen's connection check (issue #16 item 8): LINE's answer to the channel's
// access token, the webhook URL the LINE Developers console holds, and LINE's test post to
// Kizuna's webhook URL, all through the official SDK against the sandbox.
import { createServer } from 'node:net';
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { SANDBOX_HOSTS } from './line-setup.ts';

const GOOD_TOKEN = 'check-access-token-0001';
let t: TestApp;
let line: LineSandbox;
let appUrl: string;

/** A free local port, so the app's public URL (which builds the webhook URL) is where it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  t = await createTestApp({ lineHosts: SANDBOX_HOSTS, publicUrl: appUrl });
  await t.app.listen({ host: '127.0.0.1', port });
  line = await startLineSandbox({ seed: 7, channelSecret: 'check-secret', requireTokens: [GOOD_TOKEN] });
});
afterAll(async () => {
  await line?.close();
  await t?.close();
});

async function connect(lineChannelId: string, accessToken: string, auth = t.auth): Promise<string> {
  const response = await t.app.inject({
    method: 'PUT',
    url: `/v1/line/channels/${lineChannelId}`,
    headers: auth,
    payload: { channelSecret: 'check-secret', accessToken, apiBaseUrl: line.url },
  });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { id: string }).id;
}

function check(channelId: string, auth: Record<string, string> = t.auth) {
  return t.app.inject({ method: 'POST', url: `/v1/line/channels/${channelId}/check`, headers: auth });
}

describe('POST /v1/line/channels/:channelId/check', () => {
  it("names the bot behind a good token and says LINE's test post reached the webhook URL", async () => {
    const id = await connect('1650000101', GOOD_TOKEN);
    const response = await check(id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      accessTokenValid: true,
      bot: {
        userId: expect.stringMatching(/^U[0-9a-f]{32}$/),
        basicId: '@sandbox',
        displayName: 'Kizuna LINE sandbox',
      },
      webhook: {
        expected: `${appUrl}/line/webhook/${id}`,
        configured: '',
        active: false,
        reached: true,
        statusCode: 200,
        reason: '',
      },
    });
  });

  it('shows the webhook URL set in the LINE Developers console once it is pasted there', async () => {
    const id = await connect('1650000101', GOOD_TOKEN);
    line.configure({ webhookUrl: `${appUrl}/line/webhook/${id}` });
    const body = (await check(id)).json() as { webhook: { configured: string; active: boolean } };
    expect(body.webhook).toMatchObject({ configured: `${appUrl}/line/webhook/${id}`, active: true });
  });

  it('a token LINE refuses is a result (accessTokenValid false), not an error', async () => {
    const id = await connect('1650000102', 'a-revoked-token');
    const response = await check(id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accessTokenValid: false, bot: null, webhook: null });
  });

  it('a webhook URL LINE cannot reach is reported with its status', async () => {
    // Another app whose public URL names a port nothing listens on.
    const port = await freePort();
    const other = await createTestApp({ lineHosts: SANDBOX_HOSTS, publicUrl: `http://127.0.0.1:${port}` });
    try {
      const response = await other.app.inject({
        method: 'PUT',
        url: '/v1/line/channels/1650000103',
        headers: other.auth,
        payload: { channelSecret: 'check-secret', accessToken: GOOD_TOKEN, apiBaseUrl: line.url },
      });
      const id = (response.json() as { id: string }).id;
      const result = await other.app.inject({
        method: 'POST',
        url: `/v1/line/channels/${id}/check`,
        headers: other.auth,
      });
      const body = result.json() as { webhook: { reached: boolean; statusCode: number; reason: string } };
      expect(body.webhook.reached).toBe(false);
      expect(body.webhook.statusCode).toBe(0);
      expect(body.webhook.reason).not.toBe('');
    } finally {
      await other.close();
    }
  });

  it("another workspace's channel is a 404, and the check needs the admin scope", async () => {
    const id = await connect('1650000101', GOOD_TOKEN);
    const other = await newWorkspace(t.database, '別の店');
    expect((await check(id, { authorization: `Bearer ${other.apiKey}` })).statusCode).toBe(404);
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'read only', scopes: ['read'] },
    });
    const reader = { authorization: `Bearer ${(key.json() as { token: string }).token}` };
    expect((await check(id, reader)).statusCode).toBe(403);
  });
});
