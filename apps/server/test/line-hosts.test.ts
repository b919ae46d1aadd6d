// Issue #19 item 8: no server-side request forgery through a LINE channel's base URLs. Only LINE's
// hosts unless the operator allows others (KIZUNA_LINE_ALLOWED_HOSTS, or any host for
// development); the check holds where the token leaves too; upstream bodies are not echoed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { saveChannel } from '../src/line/channels.ts';
import { deliverSend } from '../src/line/deliver-send.ts';
import { parseLineHostAllowance } from '../src/line/line-hosts.ts';
import { createSend } from '../src/line/sends.ts';
import { createTestApp, type TestApp } from './helpers.ts';
import { makeFriends } from './line-setup.ts';

/** A host that is not LINE: answers whatever the test sets, and counts what reached it. */
let upstream: Server;
let upstreamPort = 0;
let upstreamAnswer: { status: number; type: string; body: string } = {
  status: 200,
  type: 'json',
  body: '{}',
};
const upstreamRequests: { url: string; authorization: string | undefined }[] = [];

let strict: TestApp; // the default: LINE's hosts only
let allowing: TestApp; // the operator allowed 127.0.0.1:4010, localhost and the upstream's port
let sandbox: LineSandbox;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    upstreamRequests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    request.on('end', () =>
      response
        .writeHead(upstreamAnswer.status, { 'content-type': upstreamAnswer.type })
        .end(upstreamAnswer.body),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  strict = await createTestApp();
  allowing = await createTestApp({
    lineHosts: parseLineHostAllowance(`127.0.0.1:4010, localhost, 127.0.0.1:${upstreamPort}`, false),
  });
  sandbox = await startLineSandbox({ seed: 7 });
});
afterAll(async () => {
  await sandbox?.close();
  await strict?.close();
  await allowing?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

function putChannel(t: TestApp, body: Record<string, unknown>, lineChannelId = '1650000001') {
  return t.app.inject({
    method: 'PUT',
    url: `/v1/line/channels/${lineChannelId}`,
    headers: t.auth,
    payload: { channelSecret: 'secret-0001', accessToken: 'token-0001', ...body },
  });
}

describe('the operator setting, parsed once in config.ts', () => {
  it('defaults to LINE only, parses host and host:port entries, and names a bad key', () => {
    expect(loadConfig({}).lineHosts).toEqual({ hosts: [], any: false });
    expect(
      loadConfig({ KIZUNA_LINE_ALLOWED_HOSTS: '127.0.0.1:4010, LocalHost,[::1]:8080,0x7f.1' }).lineHosts,
    ).toEqual({
      any: false,
      hosts: [
        { host: '127.0.0.1', port: '4010' },
        { host: 'localhost', port: undefined },
        { host: '[::1]', port: '8080' },
        { host: '127.0.0.1', port: undefined },
      ],
    });
    expect(loadConfig({ KIZUNA_LINE_ALLOW_ANY_HOST: 'true' }).lineHosts.any).toBe(true);
    for (const [key, value] of [
      ['KIZUNA_LINE_ALLOWED_HOSTS', 'http://127.0.0.1:4010'],
      ['KIZUNA_LINE_ALLOWED_HOSTS', '127.0.0.1:99999'],
      ['KIZUNA_LINE_ALLOWED_HOSTS', '*'],
      ['KIZUNA_LINE_ALLOWED_HOSTS', 'sandbox/api'],
      ['KIZUNA_LINE_ALLOW_ANY_HOST', 'perhaps'],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ [key]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${key}=${value}`).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe(key);
    }
  });
});

describe('a channel may name only LINE unless the operator allows more', () => {
  const refused = [
    'http://127.0.0.1:4010',
    'http://127.0.0.1:5432',
    'http://localhost:3000',
    'http://[::1]:5432',
    'http://0x7f.0.0.1:5432',
    'http://2130706433:5432',
    'http://169.254.169.254/latest/meta-data',
    'https://api.line.me.attacker.example',
    'https://attacker.example/api.line.me',
    'http://api.line.me',
    'https://api.line.me:8443',
    'https://user:pass@api.line.me',
    'https://api.line.me/?next=http://127.0.0.1',
    'file:///etc/passwd',
    'gopher://127.0.0.1:5432',
    'not a url',
  ];
  it.each(refused)('apiBaseUrl %s → 400 naming apiBaseUrl, nothing stored', async (url) => {
    const response = await putChannel(strict, { apiBaseUrl: url });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.problems).toEqual([{ path: 'apiBaseUrl', message: expect.any(String) }]);
    const list = await strict.app.inject({ url: '/v1/line/channels', headers: strict.auth });
    expect(list.json().items).toEqual([]);
  });

  it('dataApiBaseUrl is checked too', async () => {
    const response = await putChannel(strict, {
      apiBaseUrl: 'https://api.line.me',
      dataApiBaseUrl: 'http://127.0.0.1:5432',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.problems[0].path).toBe('dataApiBaseUrl');
    expect(response.json().error.message).toMatch(/KIZUNA_LINE_ALLOWED_HOSTS/);
  });

  it("LINE's own hosts are accepted and normalised", async () => {
    const plain = await putChannel(strict, {}, '1650000010');
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({
      apiBaseUrl: 'https://api.line.me',
      dataApiBaseUrl: 'https://api-data.line.me',
    });
    const spelled = await putChannel(strict, { apiBaseUrl: 'https://API.LINE.ME/' }, '1650000011');
    expect(spelled.json()).toMatchObject({
      apiBaseUrl: 'https://api.line.me',
      dataApiBaseUrl: 'https://api-data.line.me',
    });
  });

  it('with the operator setting, the allowed hosts are accepted and others still refused', async () => {
    const sandboxPort = await putChannel(allowing, { apiBaseUrl: 'http://127.0.0.1:4010' }, '1650000020');
    expect(sandboxPort.statusCode).toBe(200);
    expect(sandboxPort.json()).toMatchObject({
      apiBaseUrl: 'http://127.0.0.1:4010',
      dataApiBaseUrl: 'http://127.0.0.1:4010',
    });
    expect(
      (await putChannel(allowing, { apiBaseUrl: 'http://localhost:9999' }, '1650000021')).statusCode,
    ).toBe(200);
    const database = await putChannel(allowing, { apiBaseUrl: 'http://127.0.0.1:5432' }, '1650000022');
    expect(database.statusCode).toBe(400);
    expect(database.json().error.problems[0].path).toBe('apiBaseUrl');
  });

  it('allow-any (development) takes any http(s) host', async () => {
    const view = await saveChannel(
      strict.database.db,
      strict.secrets,
      'http://localhost',
      strict.workspace.workspaceId,
      {
        lineChannelId: '1650000030',
        channelSecret: 's',
        accessToken: 't',
        apiBaseUrl: 'http://10.1.2.3:5432',
      },
      parseLineHostAllowance(undefined, true),
    );
    expect(view.apiBaseUrl).toBe('http://10.1.2.3:5432');
  });
});

describe('where the token leaves', () => {
  it('a channel stored with a host that is not allowed (saved before the setting changed) sends nothing there', async () => {
    // Saved while the sandbox's host was allowed, then used by a server that does not allow it.
    const channel = await saveChannel(
      strict.database.db,
      strict.secrets,
      'http://localhost',
      strict.workspace.workspaceId,
      {
        lineChannelId: '1650000040',
        channelSecret: 's',
        accessToken: 'leaked-token',
        apiBaseUrl: sandbox.url,
      },
      parseLineHostAllowance('127.0.0.1', false),
    );
    const menu = await strict.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${channel.id}/rich-menus`,
      headers: strict.auth,
      payload: {
        size: { width: 2500, height: 843 },
        selected: false,
        name: 'x',
        chatBarText: 'x',
        areas: [],
      },
    });
    expect(menu.statusCode).toBe(403);
    expect(menu.json().error.message).toMatch(/apiBaseUrl is not allowed/);
    const token = await strict.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${channel.id}/link-tokens`,
      headers: strict.auth,
      payload: { lineUserId: `U${'0'.repeat(31)}1` },
    });
    expect(token.statusCode).toBe(403);
    // The worker checks too: a send's delivery stops before any request.
    const ws = strict.workspace.workspaceId;
    const ids = await makeFriends(strict.database.db, ws, 1, 3);
    const send = await createSend(strict.database.db, undefined, ws, {
      channelId: channel.id,
      idempotencyKey: 'ssrf',
      messages: [{ type: 'text', text: 'x' }],
      customerIds: ids,
    });
    const context = { database: strict.database, secrets: strict.secrets, logger: pino({ level: 'silent' }) };
    await expect(deliverSend(context, ws, send.id)).rejects.toThrow(/apiBaseUrl is not allowed/);
    expect(sandbox.stats().requests).toEqual({});
  });

  it("an allowed host's error body is not echoed: a code and LINE's message field, bounded", async () => {
    const created = await putChannel(
      allowing,
      { apiBaseUrl: `http://127.0.0.1:${upstreamPort}` },
      '1650000050',
    );
    const channelId = created.json().id as string;
    const createMenu = () =>
      allowing.app.inject({
        method: 'POST',
        url: `/v1/line/channels/${channelId}/rich-menus`,
        headers: allowing.auth,
        payload: {
          size: { width: 2500, height: 843 },
          selected: false,
          name: 'x',
          chatBarText: 'x',
          areas: [],
        },
      });
    upstreamAnswer = {
      status: 400,
      type: 'text/html',
      body: '<html>db=postgres password=INTERNAL-SECRET</html>',
    };
    const html = await createMenu();
    expect(html.statusCode).toBe(400);
    expect(html.body).not.toContain('INTERNAL-SECRET');
    expect(html.json().error.message).toBe('LINE refused the request (400)');

    upstreamAnswer = {
      status: 400,
      type: 'application/json',
      body: JSON.stringify({
        message: `too long ${'m'.repeat(10_000)}`,
        details: Array.from({ length: 50 }, (_, i) => ({
          property: `areas[${i}]`,
          message: 'd'.repeat(500),
        })),
        secret: 'INTERNAL-SECRET',
      }),
    };
    const long = await createMenu();
    expect(long.statusCode).toBe(400);
    expect(long.body).not.toContain('INTERNAL-SECRET');
    expect(long.json().error.message.length).toBeLessThan(300);
    expect(long.json().error.problems).toHaveLength(10);
    expect(long.json().error.problems[0]).toEqual({ path: 'areas[0]', message: `${'d'.repeat(200)}…` });

    upstreamAnswer = { status: 500, type: 'text/plain', body: 'stack trace: INTERNAL-SECRET' };
    const failed = await createMenu();
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.code).toBe('upstream_unavailable');
    expect(failed.body).not.toContain('INTERNAL-SECRET');
    expect(upstreamRequests.at(-1)).toEqual({ url: '/v2/bot/richmenu', authorization: 'Bearer token-0001' });
  });
});
