import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from '@kizuna/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliOptions } from '../src/cli.ts';
import { type LineSandbox, type LineSandboxOptions, startLineSandbox } from '../src/index.ts';
import { client, startWebhookReceiver, text } from './helpers.ts';

const open: LineSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
async function sandbox(options: LineSandboxOptions = {}): Promise<LineSandbox> {
  const line = await startLineSandbox({ seed: 13, ...options });
  open.push(line);
  return line;
}

async function json(
  url: string,
  init?: { method: string; body?: unknown },
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: await res.json() };
}

describe('control API (/sandbox)', () => {
  it('creates users, reports what they received, and shows the chat page', async () => {
    const line = await sandbox();
    const created = await json(`${line.url}/sandbox/users`, {
      method: 'POST',
      body: { displayName: '高橋 美咲', language: 'ja' },
    });
    expect(created.status).toBe(201);
    const userId = (created.body as { userId: string }).userId;
    expect(userId).toMatch(/^U[0-9a-f]{32}$/);
    await client(line).pushMessage({ to: userId, messages: [text('<b>ご来店ありがとう</b>')] });
    const received = await json(`${line.url}/sandbox/users/${userId}/received`);
    expect(received.body).toMatchObject({
      userId,
      count: 1,
      undelivered: 0,
      messages: [{ via: 'push', messages: [text('<b>ご来店ありがとう</b>')] }],
    });
    const page = await fetch(`${line.url}/sandbox/users/${userId}/chat`).then((r) => r.text());
    expect(page).toContain('高橋 美咲');
    expect(page).toContain('&#60;b&#62;ご来店ありがとう&#60;/b&#62;');
    expect(
      (await json(`${line.url}/sandbox/users`, { method: 'POST', body: { userId: 'bad' } })).status,
    ).toBe(400);
    expect((await json(`${line.url}/sandbox/users/U${'0'.repeat(32)}/chat`)).status).toBe(404);
  });

  it('user actions send webhooks; config changes quota and tokens at runtime; reset forgets', async () => {
    const receiver = await startWebhookReceiver();
    const line = await sandbox({ webhookUrl: receiver.url });
    const { userId } = line.users.create();
    const sent = await json(`${line.url}/sandbox/users/${userId}/messages`, {
      method: 'POST',
      body: { text: 'こんにちは' },
    });
    expect(sent.body).toMatchObject([{ ok: true, status: 200 }]);
    expect(receiver.requests[0]?.body.events[0]).toMatchObject({
      type: 'message',
      message: { text: 'こんにちは' },
    });
    await json(`${line.url}/sandbox/users/${userId}/unfollow`, { method: 'POST' });
    expect(line.users.get(userId)?.friend).toBe(false);
    expect(
      (
        await json(`${line.url}/sandbox/config`, {
          method: 'PUT',
          body: { monthlyQuota: 10, requireTokens: ['k'] },
        })
      ).status,
    ).toBe(200);
    expect(await client(line, 'k').getMessageQuota()).toEqual({ type: 'limited', value: 10 });
    expect(
      (await fetch(`${line.url}/v2/bot/message/quota`, { headers: { authorization: 'Bearer other' } }))
        .status,
    ).toBe(401);
    await json(`${line.url}/sandbox/reset`, { method: 'POST' });
    expect(line.users.size).toBe(0);
    expect((await json(`${line.url}/sandbox/state`)).body).toMatchObject({ deliveries: 0, requests: {} });
    await receiver.close();
  });

  it('counts-only recording keeps counts and duplicates but no bodies', async () => {
    const line = await sandbox({ record: 'counts' });
    const ids = Array.from({ length: 500 }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
    await client(line).multicast({ to: ids, messages: [text('big run')] });
    await client(line).multicast({ to: ids.slice(0, 2), messages: [text('again')] });
    expect(line.receivedCount(ids[0]!)).toBe(2);
    expect(line.stats()).toMatchObject({ deliveries: 502, recipients: 500, duplicateRecipients: 2 });
    expect(line.duplicates()).toEqual(ids.slice(0, 2));
    expect(() => line.received(ids[0]!)).toThrow(/counts only/);
    expect((await json(`${line.url}/sandbox/users/${ids[0]}/received`)).body).toEqual({
      userId: ids[0],
      count: 2,
      undelivered: 0,
    });
  });

  it('unknownRecipients: drop records messages to unregistered ids as undelivered', async () => {
    const line = await sandbox({ unknownRecipients: 'drop' });
    const stranger = `U${'f'.repeat(32)}`;
    await client(line).pushMessage({ to: stranger, messages: [text('x')] });
    expect(line.receivedCount(stranger)).toBe(0);
    expect(line.undelivered(stranger)).toHaveLength(1);
  });

  it('answers unknown paths with LINE 404 body and bad JSON with 400', async () => {
    const line = await sandbox();
    const missing = await fetch(`${line.url}/v2/bot/nothing`, { headers: { authorization: 'Bearer t' } });
    expect([missing.status, await missing.json()]).toEqual([404, { message: 'Not found' }]);
    const badJson = await fetch(`${line.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"to":',
    });
    expect([badJson.status, await badJson.json()]).toEqual([
      400,
      { message: 'The request body could not be parsed as JSON' },
    ]);
    expect(badJson.headers.get('x-line-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const huge = await fetch(`${line.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });
});

describe('kizuna line-sandbox CLI', () => {
  it('parses flags and names a bad one', () => {
    const options = parseCliOptions([
      '--port',
      '0',
      '--secret',
      's',
      '--require-token',
      'a,b',
      '--error-rate',
      '0.05',
      '--latency',
      '5-20',
      '--quota',
      '1000',
    ]);
    expect(options).toMatchObject({
      port: 0,
      channelSecret: 's',
      requireTokens: ['a', 'b'],
      monthlyQuota: 1000,
      faults: { errorRate: 0.05, latencyMs: [5, 20] },
    });
    expect(() => parseCliOptions(['--error-rate', '5'])).toThrow(
      '--error-rate: expected a number between 0 and 1, got "5"',
    );
    expect(() => parseCliOptions(['--record', 'everything'])).toThrow('--record: expected full or counts');
  });

  it('prints its URL, serves the API, and exits 0 on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('../../../node_modules/.bin/kizuna', import.meta.url));
    const child = spawn(process.execPath, [bin, 'line-sandbox', '--port', '0', '--users', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await until(() => /listening on (http:\/\/\S+)/.test(out), 'the CLI to print its URL', {
      timeoutMs: 10_000,
    });
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    const users = (await (await fetch(`${url}/sandbox/users`)).json()) as { users: unknown[] };
    expect(users.users).toHaveLength(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
