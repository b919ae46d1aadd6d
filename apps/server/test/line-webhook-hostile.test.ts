// Issue #19 item 5: any signed webhook body answers 200 or 4xx, never 500; one bad event does not
// fail the other users' events of the same delivery; the signature header is checked canonically.
// Bodies are signed with the channel secret, as LINE signs them, and posted to the real route.
import { createHmac } from 'node:crypto';
import { until } from '@kizuna/test-support';
import { validateSignature } from '@line/bot-sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => {
  await bed?.close();
});

function sign(body: string | Buffer, secret = bed.line.channelSecret): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function post(body: string | Buffer, headers: Record<string, string | string[]> = {}) {
  return bed.app.inject({
    method: 'POST',
    url: `/line/webhook/${bed.channelId}`,
    headers: { 'content-type': 'application/json', 'x-line-signature': sign(body), ...headers },
    payload: body,
  });
}

/** A real text event from a sandbox user: the "other users' events" of a delivery. */
function goodEvent(text = 'こんにちは'): Record<string, unknown> & { webhookEventId: string } {
  const user = bed.line.users.create({});
  return bed.line.events.text(user.userId, text) as unknown as Record<string, unknown> & {
    webhookEventId: string;
  };
}

function body(events: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ destination: bed.line.botUserId, events, ...extra });
}

async function eventRow(id: string) {
  return bed.database.db
    .selectFrom('line_webhook_event')
    .select(['processed_at', 'set_aside_at', 'last_error', 'outcome', 'payload', 'type'])
    .where('workspace_id', '=', bed.workspace.workspaceId)
    .where('webhook_event_id', '=', id)
    .executeTakeFirst();
}

async function eventCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from line_webhook_event
    where workspace_id = ${bed.workspace.workspaceId}`.execute(bed.database.db);
  return rows[0]!.n;
}

const processed = (id: string) =>
  until(async () => (await eventRow(id))?.processed_at, `event ${id} processed`, { timeoutMs: 20_000 });

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('hostile signed webhook bodies get 200 or 4xx, never 500', () => {
  const refused: [string, number, string | Buffer, RegExp][] = [
    ['null', 400, 'null', /body: not a JSON object/],
    ['an array', 400, '[]', /body: not a JSON object/],
    ['a string', 400, '"events"', /body: not a JSON object/],
    ['a number', 400, '42', /body: not a JSON object/],
    ['not JSON', 400, '{"events": [', /body: not JSON/],
    ['empty', 400, '', /./],
    ['events not an array', 400, '{"events": {"0": {}}}', /events: not an array/],
    ['events a string', 400, '{"events": "follow"}', /events: not an array/],
    ['nested a million levels', 400, deep(1_000_000), /body: not a JSON object/],
    ['a byte-order mark before the JSON', 400, Buffer.from('\ufeff{"events":[]}'), /body: not JSON/],
  ];
  it.each(refused)('%s → %i, nothing stored', async (_name, status, payload, message) => {
    const before = await eventCount();
    const response = await post(payload);
    expect(response.statusCode).toBe(status);
    expect(response.json().error.message).toMatch(message);
    expect(await eventCount()).toBe(before);
  });

  it('a body that is not JSON by content type → 415, nothing stored', async () => {
    const before = await eventCount();
    const response = await post(body([goodEvent()]), { 'content-type': 'text/plain' });
    expect(response.statusCode).toBe(415);
    expect(await eventCount()).toBe(before);
  });

  // Each body carries a good event from another user, which must be processed as usual.
  // `make` gives the bad events' JSON text (JSON.stringify itself cannot write 10,000 levels).
  const json = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join(',');
  const setAside: [string, () => string, RegExp][] = [
    ['events: [null]', () => json(null), /events\[0\]: not an event object/],
    ['an event that is a number', () => json(42), /events\[0\]: not an event object/],
    ['an event that is an array', () => json([{ type: 'message' }]), /events\[0\]: not an event object/],
    [
      'timestamp far in the future',
      () => json({ ...goodEvent(), timestamp: 1e20 }),
      /events\[0\]\.timestamp/,
    ],
    ['timestamp past Date range', () => json({ ...goodEvent(), timestamp: 8.64e15 + 1 }), /\.timestamp/],
    ['timestamp negative', () => json({ ...goodEvent(), timestamp: -1 }), /events\[0\]\.timestamp/],
    ['timestamp fractional', () => json({ ...goodEvent(), timestamp: 1_700_000_000_000.5 }), /\.timestamp/],
    ['timestamp a string', () => json({ ...goodEvent(), timestamp: '2026-01-01' }), /events\[0\]\.timestamp/],
    ['timestamp before LINE existed', () => json({ ...goodEvent(), timestamp: 0 }), /events\[0\]\.timestamp/],
    [
      'an event nested 10,000 levels',
      () => `${JSON.stringify(goodEvent()).slice(0, -1)},"message":${deep(10_000)}}`,
      /events\[0\]: nested deeper than 32 levels/,
    ],
    [
      'webhookEventId of 10,000 characters',
      () => json({ ...goodEvent(), webhookEventId: 'x'.repeat(10_000) }),
      /events\[0\]\.webhookEventId/,
    ],
    ['webhookEventId a number', () => json({ ...goodEvent(), webhookEventId: 7 }), /\.webhookEventId/],
    ['type of 1,000 characters', () => json({ ...goodEvent(), type: 'm'.repeat(1000) }), /events\[0\]\.type/],
  ];
  it.each(setAside)(
    '%s → 200: that event is set aside with its reason, the other one processed',
    async (_name, make, reason) => {
      const good = goodEvent('隣のお客様');
      const response = await post(
        `{"destination":"${bed.line.botUserId}","events":[${make()},${JSON.stringify(good)}]}`,
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ received: 2, setAside: 1 });
      await processed(good.webhookEventId);
      expect((await eventRow(good.webhookEventId))!.outcome).toBe('recorded');
      const { rows } = await sql<{ last_error: string }>`
      select last_error from line_webhook_event where workspace_id = ${bed.workspace.workspaceId}
        and set_aside_at is not null and processed_at is null
      order by received_at desc limit 1`.execute(bed.database.db);
      expect(rows[0]?.last_error).toMatch(reason);
    },
  );

  it('NUL and lone surrogates in text and keys are stored as U+FFFD and the message is recorded', async () => {
    const event = goodEvent('x');
    const hostile = {
      ...event,
      message: { id: '1', type: 'text', text: 'a\u0000b\ud800c\udc00d', 'k\u0000': '\udbff' },
    };
    const response = await post(body([hostile]));
    expect(response.statusCode).toBe(200);
    await processed(event.webhookEventId);
    const row = await eventRow(event.webhookEventId);
    expect(row!.outcome).toBe('recorded');
    expect((row!.payload.message as Record<string, unknown>).text).toBe('a\ufffdb\ufffdc\ufffdd');
    expect((row!.payload.message as Record<string, unknown>)['k\ufffd']).toBe('\ufffd');
    const { rows } = await sql<{ text: string }>`select properties->>'text' as text from event
      where workspace_id = ${bed.workspace.workspaceId} and external_id = ${`line:${event.webhookEventId}`}`.execute(
      bed.database.db,
    );
    expect(rows[0]!.text).toBe('a\ufffdb\ufffdc\ufffdd');
  });

  it('odd but harmless shapes are stored and processed: null source, deep nesting outside events, __proto__, invalid UTF-8', async () => {
    const noSource = { ...goodEvent(), source: null, deliveryContext: null };
    const stringSource = { ...goodEvent(), source: 'user' };
    const proto = JSON.parse(JSON.stringify(goodEvent()).replace('{', '{"__proto__":{"polluted":1},'));
    const good = goodEvent();
    const raw = Buffer.concat([
      Buffer.from(body([noSource, stringSource, proto, good]).slice(0, -1)),
      Buffer.from(`,"extra":${deep(50_000)},"bytes":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const response = await post(raw);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ received: 4, setAside: 0 });
    for (const e of [noSource, stringSource, proto, good]) await processed(e.webhookEventId);
    expect((await eventRow(noSource.webhookEventId))!.outcome).toBe('ignored');
    expect((await eventRow(good.webhookEventId))!.outcome).toBe('recorded');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hundreds of events in one body are stored in one go', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({
      ...goodEvent(`#${i}`),
      type: 'videoPlayComplete',
    }));
    const response = await post(body(events));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ received: 300, stored: 300, setAside: 0 });
  });
});

describe('the x-line-signature header is exactly one canonical base64 HMAC-SHA256', () => {
  /** A body whose signature has a `+` or `/` (so its base64url spelling differs). */
  function signedBody(): { payload: string; signature: string } {
    for (let n = 0; ; n++) {
      const payload = body([goodEvent()], { n });
      const signature = sign(payload);
      if (/[+/]/.test(signature)) return { payload, signature };
    }
  }

  it('accepts the signature LINE computes (and the SDK agrees), with any header-name case', async () => {
    const { payload, signature } = signedBody();
    expect(validateSignature(payload, bed.line.channelSecret, signature)).toBe(true);
    const response = await post(payload, { 'X-Line-Signature': signature });
    expect(response.statusCode).toBe(200);
  });

  const forged: [string, (valid: string, payload: string) => string | string[] | undefined][] = [
    ['missing', () => undefined],
    ['empty', () => ''],
    ['"<valid>, <valid>" (two headers joined)', (v) => `${v}, ${v}`],
    ['"<valid>,<valid>"', (v) => `${v},${v}`],
    ['two header values', (v) => [v, v]],
    ['without its padding', (v) => v.slice(0, -1)],
    ['with extra padding', (v) => `${v}=`],
    ['with junk after the padding', (v) => `${v}AAAA`],
    ['base64url alphabet', (v) => v.replace(/\+/g, '-').replace(/\//g, '_')],
    ['non-canonical last character (same bytes to a lenient decoder)', (v) => canonicalTwin(v)],
    ['with a space inside', (v) => `${v.slice(0, 20)} ${v.slice(20)}`],
    [
      'hex instead of base64',
      (_v, p) => createHmac('sha256', bed.line.channelSecret).update(p).digest('hex'),
    ],
    [
      'a SHA-1 HMAC (wrong length)',
      (_v, p) => createHmac('sha1', bed.line.channelSecret).update(p).digest('base64'),
    ],
    ['truncated to 16 bytes', (v) => Buffer.from(v, 'base64').subarray(0, 16).toString('base64')],
    ['signed with another secret', (_v, p) => sign(p, 'another-secret')],
  ];
  it.each(forged)('%s → 401, nothing stored', async (_name, forge) => {
    const { payload, signature } = signedBody();
    const forgedSignature = forge(signature, payload);
    const before = await eventCount();
    const response = await bed.app.inject({
      method: 'POST',
      url: `/line/webhook/${bed.channelId}`,
      headers: {
        'content-type': 'application/json',
        ...(forgedSignature === undefined ? {} : { 'x-line-signature': forgedSignature }),
      },
      payload,
    });
    expect(response.statusCode).toBe(401);
    expect(await eventCount()).toBe(before);
  });

  it('the non-canonical twin really decodes to the same bytes (so the check above is the one refusing it)', () => {
    const { signature } = signedBody();
    const twin = canonicalTwin(signature);
    expect(twin).not.toBe(signature);
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(signature, 'base64'))).toBe(true);
  });
});

/** The same 32 bytes with the last character's two spare bits set: lenient decoders accept it. */
function canonicalTwin(signature: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = alphabet.indexOf(signature[42]!);
  return `${signature.slice(0, 42)}${alphabet[last | 0b11]}=`;
}
