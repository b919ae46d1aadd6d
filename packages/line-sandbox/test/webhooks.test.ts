import { until } from '@kizuna/test-support';
import { validateSignature } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type LineSandbox, startLineSandbox } from '../src/index.ts';
import { client, startWebhookReceiver, text } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(respond?: (n: number) => number, redelivery = false) {
  const receiver = await startWebhookReceiver(respond);
  const line: LineSandbox = await startLineSandbox({
    seed: 5,
    channelSecret: 'shop-secret',
    webhookUrl: receiver.url,
    webhookRedelivery: redelivery,
    webhookRedeliveryDelaysMs: [10, 20],
  });
  cleanups.push(
    () => line.close(),
    () => receiver.close(),
  );
  return { line, receiver };
}

describe('webhooks', () => {
  it('are signed so that the SDK validateSignature accepts them, and a wrong secret does not', async () => {
    const { line, receiver } = await setup();
    const user = line.users.create({ friend: false });
    await line.follow(user.userId);
    const [request] = receiver.requests;
    const signature = String(request?.headers['x-line-signature']);
    expect(validateSignature(request!.rawBody, 'shop-secret', signature)).toBe(true);
    expect(validateSignature(request!.rawBody, 'other-secret', signature)).toBe(false);
    expect(request?.body.destination).toBe(line.botUserId);
  });

  it('follow, unfollow, message, postback and accountLink have LINE shapes; a re-follow is isUnblocked', async () => {
    const { line, receiver } = await setup();
    const user = line.users.create({ friend: false });
    await line.follow(user.userId);
    await line.unfollow(user.userId);
    await line.follow(user.userId);
    await line.sendText(user.userId, '営業時間は？');
    await line.postback(user.userId, 'action=coupon&id=7', { date: '2026-12-01' });
    const events = receiver.requests.map((r) => r.body.events[0]!);
    const base = {
      mode: 'active',
      source: { type: 'user', userId: user.userId },
      deliveryContext: { isRedelivery: false },
    };
    expect(events[0]).toMatchObject({ ...base, type: 'follow', follow: { isUnblocked: false } });
    expect(events[1]).toMatchObject({ ...base, type: 'unfollow' });
    expect(events[1]).not.toHaveProperty('replyToken');
    expect(events[2]).toMatchObject({ type: 'follow', follow: { isUnblocked: true } });
    expect(events[3]).toMatchObject({ type: 'message', message: { type: 'text', text: '営業時間は？' } });
    expect(events[4]).toMatchObject({
      type: 'postback',
      postback: { data: 'action=coupon&id=7', params: { date: '2026-12-01' } },
    });
    for (const e of events) expect(e.webhookEventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(events.map((e) => e.webhookEventId)).size).toBe(5);
    // The reply token in the message event works once with the reply API.
    await client(line).replyMessage({
      replyToken: String(events[3]?.replyToken),
      messages: [text('10時から')],
    });
    expect(line.received(user.userId).map((r) => r.via)).toEqual(['reply']);
    expect(line.users.get(user.userId)?.friend).toBe(true);
  });

  it('account linking: issueLinkToken, the dialog URL, then an accountLink event with the nonce', async () => {
    const { line, receiver } = await setup();
    const user = line.users.create();
    const { linkToken } = await client(line).issueLinkToken(user.userId);
    const dialog = await fetch(`${line.url}/dialog/bot/accountLink?linkToken=${linkToken}&nonce=n0nce-123`);
    expect(dialog.status).toBe(200);
    expect(receiver.requests[0]?.body.events[0]).toMatchObject({
      type: 'accountLink',
      source: { userId: user.userId },
      link: { result: 'ok', nonce: 'n0nce-123' },
    });
    const reused = await fetch(`${line.url}/dialog/bot/accountLink?linkToken=${linkToken}&nonce=again`);
    expect(reused.status).toBe(400);
    expect(receiver.requests).toHaveLength(1);
  });

  it('a failing target gets redeliveries with isRedelivery: true and the same webhookEventId', async () => {
    const { line, receiver } = await setup((n) => (n === 1 ? 500 : 200), true);
    const user = line.users.create();
    await line.sendText(user.userId, 'hello');
    await line.webhooksIdle();
    expect(receiver.requests).toHaveLength(2);
    const [first, again] = receiver.requests.map((r) => r.body.events[0]!);
    expect(first?.deliveryContext).toEqual({ isRedelivery: false });
    expect(again?.deliveryContext).toEqual({ isRedelivery: true });
    expect(again?.webhookEventId).toBe(first?.webhookEventId);
    expect(again?.replyToken).toBe(first?.replyToken);
    expect(line.webhookAttempts().map((a) => [a.status, a.isRedelivery])).toEqual([
      [500, false],
      [200, true],
    ]);
  });

  it('redelivery stops after the configured attempts; without redelivery a failure is not retried', async () => {
    const { line, receiver } = await setup(() => 503, true);
    await line.sendText(line.users.create().userId, 'x');
    await line.webhooksIdle();
    expect(receiver.requests).toHaveLength(3);
    line.configure({ webhookRedelivery: false });
    await line.sendText(line.users.create().userId, 'y');
    await line.webhooksIdle();
    expect(receiver.requests).toHaveLength(4);
  });

  it('duplicates, reordering and explicit redelivery', async () => {
    const { line, receiver } = await setup();
    const user = line.users.create();
    const events = [
      line.events.text(user.userId, 'a'),
      line.events.text(user.userId, 'b'),
      line.events.text(user.userId, 'c'),
    ];
    await line.sendWebhook(events, { duplicates: 2 });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.rawBody)).size).toBe(1);
    const ids = events.map((e) => e.webhookEventId);
    const orders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      receiver.requests.length = 0;
      await line.sendWebhook(events, { split: true, reorder: true });
      const got = receiver.requests.map((r) => String(r.body.events[0]?.webhookEventId));
      expect([...got].sort()).toEqual([...ids].sort());
      orders.add(got.join());
    }
    expect(orders.size).toBeGreaterThan(1);
    receiver.requests.length = 0;
    await line.redeliver([ids[1]!]);
    expect(receiver.requests[0]?.body.events).toEqual([
      { ...events[1], deliveryContext: { isRedelivery: true } },
    ]);
  });

  it('a bad signature can be sent on purpose; webhook test endpoint reports the answer', async () => {
    const { line, receiver } = await setup();
    await line.sendWebhook([line.events.follow(line.users.create().userId)], { signature: 'AAAA' });
    expect(receiver.requests[0]?.headers['x-line-signature']).toBe('AAAA');
    const result = await client(line).testWebhookEndpoint({});
    expect(result).toMatchObject({ success: true, statusCode: 200 });
    expect(receiver.requests[1]?.body.events).toEqual([]);
    await until(() => line.webhookAttempts().length === 2, 'webhook attempts to be logged');
  });

  it('webhook endpoint can be set through the API', async () => {
    const { line } = await setup();
    const other = await startWebhookReceiver();
    cleanups.push(() => other.close());
    await client(line).setWebhookEndpoint({ endpoint: other.url });
    expect(await client(line).getWebhookEndpoint()).toEqual({ endpoint: other.url, active: true });
    await line.follow(line.users.create().userId);
    expect(other.requests).toHaveLength(1);
  });
});
