import { randomUUID } from 'node:crypto';
import { channelAccessToken, HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type LineSandbox, type LineSandboxOptions, startLineSandbox } from '../src/index.ts';
import { client, text } from './helpers.ts';

const open: LineSandbox[] = [];
async function sandbox(options: LineSandboxOptions = {}): Promise<LineSandbox> {
  const line = await startLineSandbox({ seed: 11, ...options });
  open.push(line);
  return line;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function failure(p: Promise<unknown>): Promise<HTTPFetchError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HTTPFetchError)) throw new Error(`expected an HTTP error, got ${String(error)}`);
  return error;
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-20T03:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('X-Line-Retry-Key', () => {
  it('a duplicate push gets 409 with X-Line-Accepted-Request-Id and the original sentMessages; nothing is sent twice', async () => {
    const line = await sandbox();
    const user = line.users.create();
    const key = randomUUID();
    const first = await client(line).pushMessageWithHttpInfo(
      { to: user.userId, messages: [text('once')] },
      key,
    );
    const firstId = first.httpResponse.headers.get('x-line-request-id');
    const dup = await failure(client(line).pushMessage({ to: user.userId, messages: [text('once')] }, key));
    expect(dup.status).toBe(409);
    expect(dup.headers.get('x-line-accepted-request-id')).toBe(firstId);
    expect(dup.headers.get('x-line-request-id')).not.toBe(firstId);
    expect(JSON.parse(dup.body)).toEqual({
      message: 'The retry key is already accepted',
      sentMessages: first.body.sentMessages,
    });
    expect(line.received(user.userId)).toHaveLength(1);
    expect(line.received(user.userId)[0]?.retryKey).toBe(key);
  });

  it('multicast 409 carries the accepted request id; a key refused with 400 stays usable', async () => {
    const line = await sandbox();
    const user = line.users.create();
    const key = randomUUID();
    const bad = await failure(client(line).multicast({ to: [user.userId], messages: [] }, key));
    expect(bad.status).toBe(400);
    const ok = await client(line).multicastWithHttpInfo({ to: [user.userId], messages: [text('x')] }, key);
    const dup = await failure(client(line).multicast({ to: [user.userId], messages: [text('x')] }, key));
    expect(dup.status).toBe(409);
    expect(dup.headers.get('x-line-accepted-request-id')).toBe(
      ok.httpResponse.headers.get('x-line-request-id'),
    );
    expect(line.receivedCount(user.userId)).toBe(1);
  });

  it('keys are kept 24 hours from acceptance', async () => {
    const clock = manualClock();
    const line = await sandbox({ clock: clock.now });
    const user = line.users.create();
    const key = randomUUID();
    await client(line).pushMessage({ to: user.userId, messages: [text('1')] }, key);
    clock.advance(24 * 60 * 60 * 1000 - 1);
    expect(
      (await failure(client(line).pushMessage({ to: user.userId, messages: [text('2')] }, key))).status,
    ).toBe(409);
    clock.advance(1);
    await client(line).pushMessage({ to: user.userId, messages: [text('3')] }, key);
    expect(line.received(user.userId).map((r) => (r.messages[0] as { text: string }).text)).toEqual([
      '1',
      '3',
    ]);
  });

  it('a malformed key, or a key on reply, is refused with 400', async () => {
    const line = await sandbox();
    const user = line.users.create();
    const malformed = await failure(
      client(line).pushMessage({ to: user.userId, messages: [text('x')] }, 'not-a-uuid'),
    );
    expect([malformed.status, JSON.parse(malformed.body).message]).toEqual([
      400,
      "The value for the 'X-Line-Retry-Key' header is invalid",
    ]);
    const res = await fetch(`${line.url}/v2/bot/message/reply`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer t',
        'content-type': 'application/json',
        'x-line-retry-key': randomUUID(),
      },
      body: JSON.stringify({ replyToken: line.issueReplyToken(user.userId), messages: [text('x')] }),
    });
    expect(res.status).toBe(400);
    expect(line.receivedCount(user.userId)).toBe(0);
  });
});

describe('rate limits and the monthly quota', () => {
  it('multicast beyond its bucket gets 429 with LINE body, and the bucket refills with time', async () => {
    const clock = manualClock();
    const line = await sandbox({ clock: clock.now });
    const user = line.users.create();
    const send = () => client(line).multicast({ to: [user.userId], messages: [text('x')] });
    for (let i = 0; i < 200; i++) await send();
    const limited = await failure(send());
    expect([limited.status, JSON.parse(limited.body)]).toEqual([
      429,
      { message: 'The API rate limit has been exceeded. Try again later.' },
    ]);
    // Other endpoints have their own buckets.
    await client(line).pushMessage({ to: user.userId, messages: [text('push')] });
    clock.advance(5); // 200/s refills one token per 5 ms
    await send();
    expect((await failure(send())).status).toBe(429);
    expect(line.receivedCount(user.userId)).toBe(202);
  });

  it('limits can be overridden per group and switched off at runtime', async () => {
    const line = await sandbox({ rateLimits: { broadcast: { limit: 2, windowMs: 60 * 60 * 1000 } } });
    line.users.create();
    await client(line).broadcast({ messages: [text('1')] });
    await client(line).broadcast({ messages: [text('2')] });
    expect((await failure(client(line).broadcast({ messages: [text('3')] }))).status).toBe(429);
    line.configure({ rateLimits: false });
    await client(line).broadcast({ messages: [text('4')] });
    expect(line.stats().deliveries).toBe(3);
  });

  it('an exhausted monthly quota gives 429 "You have reached your monthly limit." until the Tokyo month turns', async () => {
    const clock = manualClock(Date.parse('2026-11-30T14:00:00Z')); // 23:00 on 30 Nov in Tokyo
    const line = await sandbox({ clock: clock.now, monthlyQuota: 3 });
    const [a, b] = [line.users.create(), line.users.create()];
    await client(line).multicast({ to: [a!.userId, b!.userId], messages: [text('1')] });
    const over = await failure(client(line).multicast({ to: [a!.userId, b!.userId], messages: [text('2')] }));
    expect([over.status, JSON.parse(over.body)]).toEqual([
      429,
      { message: 'You have reached your monthly limit.' },
    ]);
    expect(await client(line).getMessageQuota()).toEqual({ type: 'limited', value: 3 });
    expect(await client(line).getMessageQuotaConsumption()).toEqual({ totalUsage: 2 });
    clock.advance(60 * 60 * 1000); // 00:00 on 1 Dec in Tokyo
    await client(line).multicast({ to: [a!.userId, b!.userId], messages: [text('3')] });
    expect(await client(line).getMessageQuotaConsumption()).toEqual({ totalUsage: 2 });
    expect(line.receivedCount(a!.userId)).toBe(2);
  });
});

describe('channel access tokens', () => {
  it('any token works by default; a missing Authorization header gets 401', async () => {
    const line = await sandbox();
    await client(line, 'whatever').getMessageQuota();
    const res = await fetch(`${line.url}/v2/bot/message/quota`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      message:
        "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
    });
  });

  it('with required tokens, others get 401 with LINE body, and verification tells them apart', async () => {
    const line = await sandbox({ requireTokens: ['good-token'], channelId: '2000000001' });
    const user = line.users.create();
    const refused = await failure(
      client(line, 'stolen').pushMessage({ to: user.userId, messages: [text('x')] }),
    );
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({
      message: 'Authentication failed. Confirm that the access token in the authorization header is valid.',
    });
    expect(line.receivedCount(user.userId)).toBe(0);
    await client(line, 'good-token').pushMessage({ to: user.userId, messages: [text('x')] });
    const tokens = new channelAccessToken.ChannelAccessTokenClient({ baseURL: line.url });
    expect(await tokens.verifyChannelToken('good-token')).toMatchObject({ client_id: '2000000001' });
    expect(await tokens.verifyChannelTokenByJWT('good-token')).toMatchObject({ client_id: '2000000001' });
    expect((await failure(tokens.verifyChannelToken('stolen'))).status).toBe(400);
    line.configure({ requireTokens: [] });
    await new messagingApi.MessagingApiClient({
      channelAccessToken: 'stolen',
      baseURL: line.url,
    }).getMessageQuota();
  });
});
