import { until } from '@kizuna/test-support';
import { HTTPFetchError } from '@line/bot-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LineSandbox, startLineSandbox } from '../src/index.ts';
import { client, text } from './helpers.ts';

let line: LineSandbox;
beforeAll(async () => {
  line = await startLineSandbox({ seed: 7, narrowcastMinimumAudience: 2 });
});
afterAll(() => line.close());
beforeEach(() => line.reset());

async function failure(
  p: Promise<unknown>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HTTPFetchError)) throw new Error(`expected an HTTP error, got ${String(error)}`);
  return { status: error.status, body: JSON.parse(error.body), headers: error.headers };
}

describe('sending with @line/bot-sdk', () => {
  it('push records the message for the user and answers sentMessages and X-Line-Request-Id', async () => {
    const user = line.users.create({ displayName: '佐藤 花子' });
    const res = await client(line).pushMessageWithHttpInfo({
      to: user.userId,
      messages: [text('こんにちは')],
    });
    expect(res.body.sentMessages).toHaveLength(1);
    expect(res.body.sentMessages[0]?.id).toMatch(/^\d{18}$/);
    const requestId = res.httpResponse.headers.get('x-line-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [received] = line.received(user.userId);
    expect(received).toMatchObject({
      via: 'push',
      requestId,
      retryKey: null,
      messages: [text('こんにちは')],
    });
  });

  it('multicast reaches each recipient once; broadcast reaches every friend but not blocked users', async () => {
    const [a, b, c] = [line.users.create(), line.users.create(), line.users.create({ friend: false })];
    await client(line).multicast({ to: [a!.userId, b!.userId], messages: [text('sale')] });
    await client(line).broadcast({ messages: [text('news')] });
    expect(line.received(a!.userId).map((r) => r.via)).toEqual(['multicast', 'broadcast']);
    expect(line.receivedCount(c!.userId)).toBe(0);
    await client(line).pushMessage({ to: c!.userId, messages: [text('blocked')] });
    expect(line.receivedCount(c!.userId)).toBe(0);
    expect(line.undelivered(c!.userId)).toHaveLength(1);
    // Both friends got two requests (multicast then broadcast); duplicateRecipients counts exactly that.
    expect(line.stats()).toMatchObject({
      deliveries: 4,
      recipients: 2,
      duplicateRecipients: 2,
      undeliveredDeliveries: 1,
    });
  });

  it('reply accepts a reply token once', async () => {
    const user = line.users.create();
    const replyToken = line.issueReplyToken(user.userId);
    await client(line).replyMessage({ replyToken, messages: [text('thanks')] });
    expect(line.received(user.userId)[0]?.via).toBe('reply');
    const again = await failure(client(line).replyMessage({ replyToken, messages: [text('again')] }));
    expect(again).toMatchObject({ status: 400, body: { message: 'Invalid reply token' } });
  });

  it('profile answers for friends and 404 for unknown or blocked users', async () => {
    const user = line.users.create({
      displayName: '鈴木 一郎',
      language: 'ja',
      pictureUrl: 'https://example.com/p.png',
    });
    expect(await client(line).getProfile(user.userId)).toEqual({
      userId: user.userId,
      displayName: '鈴木 一郎',
      pictureUrl: 'https://example.com/p.png',
      language: 'ja',
    });
    const unknown = await failure(client(line).getProfile(`U${'0'.repeat(32)}`));
    expect(unknown).toMatchObject({ status: 404, body: { message: 'Not found' } });
    line.users.setFriend(user.userId, false);
    expect((await failure(client(line).getProfile(user.userId))).status).toBe(404);
  });
});

describe('validation as LINE does it', () => {
  const to = `U${'a'.repeat(32)}`;
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['six messages', { to, messages: Array(6).fill(text('x')) }, 'messages', 'Size must be between 1 and 5'],
    [
      '5,001 characters',
      { to, messages: [text('あ'.repeat(5001))] },
      'messages[0].text',
      'Length must be between 1 and 5000',
    ],
    ['no messages', { to, messages: [] }, 'messages', 'Size must be between 1 and 5'],
    [
      'a bad recipient',
      { to: 'nobody', messages: [text('x')] },
      'to',
      'must be a valid user, group or room ID',
    ],
    [
      'an unknown type',
      { to, messages: [{ type: 'hologram' }] },
      'messages[0].type',
      'unsupported message type: hologram',
    ],
    [
      'a flex bubble over 30 KB',
      {
        to,
        messages: [
          {
            type: 'flex',
            altText: 'big',
            contents: {
              type: 'bubble',
              body: {
                type: 'box',
                layout: 'vertical',
                contents: [{ type: 'text', text: 'x'.repeat(31 * 1024) }],
              },
            },
          },
        ],
      },
      'messages[0].contents',
      'Size of a bubble must be at most 30720 bytes',
    ],
    [
      'a carousel of 13 bubbles',
      {
        to,
        messages: [
          {
            type: 'flex',
            altText: 'c',
            contents: { type: 'carousel', contents: Array(13).fill({ type: 'bubble' }) },
          },
        ],
      },
      'messages[0].contents.contents',
      'Size must be between 1 and 12',
    ],
    [
      'a quick reply of 14 items',
      {
        to,
        messages: [
          {
            ...text('q'),
            quickReply: {
              items: Array(14).fill({ type: 'action', action: { type: 'message', label: 'a', text: 'a' } }),
            },
          },
        ],
      },
      'messages[0].quickReply.items',
      'Size must be between 1 and 13',
    ],
  ];
  it.each(cases)('push with %s gets 400 naming the property', async (_name, body, property, message) => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid bodies the SDK's types would refuse
    const res = await failure(client(line).pushMessage(body as any));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ property, message }],
    });
    expect(line.stats().deliveries).toBe(0);
  });

  it('multicast refuses 501 recipients and malformed ids', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
    const tooMany = await failure(client(line).multicast({ to: ids, messages: [text('x')] }));
    expect(tooMany.body.details).toEqual([{ property: 'to', message: 'Size must be between 1 and 500' }]);
    const bad = await failure(client(line).multicast({ to: [ids[0]!, 'Uxyz'], messages: [text('x')] }));
    expect(bad.body.details).toEqual([{ property: 'to[1]', message: 'must be a valid user ID' }]);
  });

  it('validate endpoints check messages without sending', async () => {
    await client(line).validatePush({ messages: [text('ok')] });
    const res = await failure(client(line).validateMulticast({ messages: [text('')] }));
    expect(res.body.details).toEqual([
      { property: 'messages[0].text', message: 'Length must be between 1 and 5000' },
    ]);
    expect(line.stats().deliveries).toBe(0);
  });
});

describe('narrowcast, quota and statistics', () => {
  it('narrowcast answers 202, then progress reaches succeeded with counts', async () => {
    const users = [
      line.users.create({ gender: 'female' }),
      line.users.create({ gender: 'male' }),
      line.users.create({ gender: 'female' }),
    ];
    const res = await client(line).narrowcastWithHttpInfo({
      messages: [text('女性向け')],
      filter: { demographic: { type: 'gender', oneOf: ['female'] } },
    });
    expect(res.httpResponse.status).toBe(202);
    const requestId = res.httpResponse.headers.get('x-line-request-id') ?? '';
    await until(
      async () => (await client(line).getNarrowcastProgress(requestId)).phase !== 'waiting',
      'narrowcast to finish',
    );
    const progress = await client(line).getNarrowcastProgress(requestId);
    expect(progress).toMatchObject({ phase: 'succeeded', successCount: 2, failureCount: 0, targetCount: 2 });
    expect(line.receivedCount(users[1]!.userId)).toBe(0);
  });

  it('narrowcast to an audience below the minimum fails with errorCode 4', async () => {
    const user = line.users.create();
    const audience = await fetch(`${line.url}/v2/bot/audienceGroup/upload`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'one', audiences: [{ id: user.userId }] }),
    }).then((r) => r.json() as Promise<{ audienceGroupId: number }>);
    const res = await client(line).narrowcastWithHttpInfo({
      messages: [text('x')],
      recipient: { type: 'audience', audienceGroupId: audience.audienceGroupId },
    });
    const requestId = res.httpResponse.headers.get('x-line-request-id') ?? '';
    await until(
      async () => (await client(line).getNarrowcastProgress(requestId)).phase !== 'waiting',
      'narrowcast to finish',
    );
    expect(await client(line).getNarrowcastProgress(requestId)).toMatchObject({
      phase: 'failed',
      errorCode: 4,
    });
    expect(line.receivedCount(user.userId)).toBe(0);
  });

  it('quota consumption counts recipients, not message objects; replies are free', async () => {
    const [a, b] = [line.users.create(), line.users.create()];
    await client(line).multicast({ to: [a!.userId, b!.userId], messages: [text('1'), text('2'), text('3')] });
    await client(line).replyMessage({ replyToken: line.issueReplyToken(a!.userId), messages: [text('r')] });
    expect(await client(line).getMessageQuotaConsumption()).toEqual({ totalUsage: 2 });
    expect(await client(line).getMessageQuota()).toEqual({ type: 'none' });
  });

  it('customAggregationUnits are checked and listed', async () => {
    const user = line.users.create();
    await client(line).pushMessage({
      to: user.userId,
      messages: [text('x')],
      customAggregationUnits: ['spring_sale'],
    });
    expect(await client(line).getAggregationUnitNameList()).toEqual({
      customAggregationUnits: ['spring_sale'],
    });
    const bad = await failure(
      client(line).pushMessage({ to: user.userId, messages: [text('x')], customAggregationUnits: ['a b'] }),
    );
    expect(bad.body.details).toEqual([
      { property: 'customAggregationUnits[0]', message: 'must match ^[a-zA-Z0-9_]{1,30}$' },
    ]);
    expect(line.received(user.userId)[0]?.customAggregationUnit).toBe('spring_sale');
  });
});
