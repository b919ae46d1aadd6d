// The email channel end to end against a real SMTP server in this process: headers, DKIM that
// an independent verifier (mailauth) accepts against the published key, one-click unsubscribe,
// consent at send time, 4xx retried and 5xx failed.
import { sql } from 'kysely';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { emailAdapter } from '../src/email/email-adapter.ts';
import { planRequests } from '../src/messaging/plan-requests.ts';
import { content, createEmailBed, type EmailBed } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

const shop: EmailBed['shop'] = (...args) => bed.shop(...args);
const send: EmailBed['send'] = (...args) => bed.send(...args);
const deliver = (ws: string, id: number) => bed.deliver(ws, id);
const mailTo = (address: string) => bed.mailTo(address);

describe('email delivery over SMTP', () => {
  it('sends a DKIM-signed marketing mail with List-Unsubscribe, the footer and a Japanese subject', async () => {
    const shopA = await shop(['hanako@example.com']);
    const { id } = await send(shopA.auth, { idempotencyKey: 'k1', customerIds: shopA.ids, content });
    expect(await deliver(shopA.ws, id)).toBe('done');
    const [mail] = mailTo('hanako@example.com');
    expect(mail).toBeDefined();
    // The Message-ID is the request's retry key, committed before the SMTP transaction.
    const { rows } = await sql<{ retry_key: string }>`
      select retry_key from message_request where workspace_id = ${shopA.ws} and send_id = ${id}`.execute(
      bed.t.database.db,
    );
    expect(mail!.messageId).toBe(`<${rows[0]!.retry_key}@shop.example.jp>`);
    expect(headerValue(mail!.raw, 'Subject')).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    const unsubscribe = headerValue(mail!.raw, 'List-Unsubscribe');
    expect(unsubscribe).toMatch(
      /^<https:\/\/kizuna\.example\.jp\/u\/[A-Za-z0-9_-]+>, <mailto:unsubscribe\+[A-Za-z0-9_-]+@shop\.example\.jp>$/,
    );
    expect(headerValue(mail!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(headerValue(mail!.raw, 'Feedback-ID')).toMatch(new RegExp(`^api:${id}:[0-9a-f]{8}:kizuna$`));
    expect(mail!.from).toMatch(/^bounce\+[A-Za-z0-9_-]+@shop\.example\.jp$/);
    const signature = headerValue(mail!.raw, 'DKIM-Signature');
    expect(signature).toMatch(/h=[^;]*list-unsubscribe:list-unsubscribe-post/i);
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.text).toContain('東京都渋谷区神南1-2-3');
    expect(parsed.text).toContain('03-1234-5678');
    expect(parsed.html).toContain('配信停止 / Unsubscribe');
    // An independent verifier, against the record the sender's setup says to publish.
    const record = shopA.sender.dnsRecords.find((r) => r.name.includes('._domainkey.'))!;
    const verified = await dkimVerify(mail!.raw, {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === record.name) return [[record.value]];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    expect(verified.results[0]?.status.result).toBe('pass');
    expect(verified.results[0]?.signingDomain).toBe('shop.example.jp');
  });

  it('a transactional mail has no List-Unsubscribe and no marketing footer', async () => {
    const shopB = await shop(['taro@example.com'], [null]);
    const { id } = await send(shopB.auth, {
      idempotencyKey: 'k1',
      customerIds: shopB.ids,
      content,
      kind: 'transactional',
    });
    expect(await deliver(shopB.ws, id)).toBe('done');
    const [mail] = mailTo('taro@example.com');
    expect(headerValue(mail!.raw, 'List-Unsubscribe')).toBe('');
    expect((await simpleParser(mail!.raw)).text).not.toContain('配信停止');
  });

  it('one-click unsubscribe: a GET changes nothing, a POST revokes consent at once, with its source', async () => {
    const shopC = await shop(['jiro@example.com']);
    const { id } = await send(shopC.auth, { idempotencyKey: 'k1', customerIds: shopC.ids, content });
    await deliver(shopC.ws, id);
    const url = /<https:\/\/kizuna\.example\.jp(\/u\/[^>]+)>/.exec(
      headerValue(mailTo('jiro@example.com')[0]!.raw, 'List-Unsubscribe'),
    )![1]!;
    const consent = async () =>
      (
        await sql<{ status: string; source: string }>`
          select status, source from consent_event where workspace_id = ${shopC.ws} and channel = 'email'
          order by id desc limit 1`.execute(bed.t.database.db)
      ).rows[0];
    const page = await bed.t.app.inject({ url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('配信を停止する / Unsubscribe');
    expect((await consent())?.status).toBe('granted');
    const post = () =>
      bed.t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
    expect((await post()).statusCode).toBe(200);
    expect(await consent()).toEqual({ status: 'revoked', source: 'email_one_click' });
    expect((await post()).statusCode).toBe(200); // again: still 200, nothing recorded twice
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from consent_event where workspace_id = ${shopC.ws} and status = 'revoked'`.execute(
      bed.t.database.db,
    );
    expect(rows[0]!.n).toBe(1);
    const forged = `${url.slice(0, -4)}${url.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(
      (
        await bed.t.app.inject({
          method: 'POST',
          url: forged,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'List-Unsubscribe=One-Click',
        })
      ).statusCode,
    ).toBe(404);
    // The next marketing send skips the customer, revoked.
    const again = await send(shopC.auth, { idempotencyKey: 'k2', customerIds: shopC.ids, content });
    await deliver(shopC.ws, again.id);
    expect(mailTo('jiro@example.com')).toHaveLength(1);
  });

  it('honours consent withdrawn between scheduling and sending', async () => {
    const shopD = await shop(['a@example.com', 'b@example.com']);
    const { id } = await send(shopD.auth, { idempotencyKey: 'k1', customerIds: shopD.ids, content });
    await bed.t.database.db.transaction().execute((tx) =>
      recordConsent(tx, shopD.ws, shopD.ids[1]!, {
        channel: 'email',
        purpose: 'marketing',
        status: 'revoked',
        source: 'test',
      }),
    );
    await deliver(shopD.ws, id);
    expect(mailTo('a@example.com')).toHaveLength(1);
    expect(mailTo('b@example.com')).toHaveLength(0);
    const messages = await bed.t.app.inject({ url: `/v1/email/sends/${id}/messages`, headers: shopD.auth });
    expect(
      messages.json().items.map((m: { status: string; reason: string | null }) => [m.status, m.reason]),
    ).toEqual([
      ['sent', null],
      ['skipped', 'revoked'],
    ]);
  });

  it('retries a 4xx reply with the same Message-ID and fails a 5xx with the server text', async () => {
    const shopE = await shop(['greylisted@example.com', 'gone@example.com']);
    bed.sink.answer = (mail, attempt) => {
      if (mail.to.includes('greylisted@example.com') && attempt <= 2)
        return { code: 451, message: '4.7.1 Greylisted, try again' };
      if (mail.to.includes('gone@example.com')) return { code: 550, message: '5.1.1 User unknown' };
      return 'accept';
    };
    try {
      const { id } = await send(shopE.auth, { idempotencyKey: 'k1', customerIds: shopE.ids, content });
      expect(await deliver(shopE.ws, id)).toBe('done');
      expect(mailTo('greylisted@example.com')).toHaveLength(1);
      expect(mailTo('gone@example.com')).toHaveLength(0);
      const messages = (
        await bed.t.app.inject({ url: `/v1/email/sends/${id}/messages`, headers: shopE.auth })
      ).json();
      expect(messages.items[0]).toMatchObject({ status: 'sent' });
      expect(messages.items[1].status).toBe('failed');
      expect(messages.items[1].reason).toMatch(/^550 5\.1\.1 User unknown/);
      const status = (await bed.t.app.inject({ url: `/v1/email/sends/${id}`, headers: shopE.auth })).json();
      expect(status.counts).toEqual({ queued: 0, sent: 1, failed: 1, skipped: 0 });
    } finally {
      bed.sink.answer = () => 'accept';
    }
  });
});

describe('a worker that died mid-send', () => {
  it('the next worker resends pending requests with the Message-IDs committed before the crash; a copy the server took before the crash is the one duplicate, and carries the same Message-ID', async () => {
    const shopF = await shop(['p1@example.com', 'p2@example.com', 'p3@example.com']);
    const { id } = await send(shopF.auth, { idempotencyKey: 'k1', customerIds: shopF.ids, content });
    // The dead worker planned every request (keys committed) and got no further than that, except
    // that the server had taken p1's message when the worker died before recording the reply.
    const sendRow = await bed.t.database.db
      .selectFrom('message_send')
      .select(['channel_id', 'messages', 'aggregation_unit'])
      .where('workspace_id', '=', shopF.ws)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const planned = await planRequests(
      bed.t.database.db,
      emailAdapter,
      shopF.ws,
      { id, channelId: sendRow.channel_id, messages: sendRow.messages, aggregationUnit: null },
      10,
    );
    expect(planned.map((r) => r.recipients[0])).toEqual([
      'p1@example.com',
      'p2@example.com',
      'p3@example.com',
    ]);
    const ids = planned.map((r) => `<${r.retryKey}@shop.example.jp>`);
    bed.sink.accepted.push({ from: '', to: ['p1@example.com'], raw: Buffer.from(''), messageId: ids[0]! });
    expect(await deliver(shopF.ws, id)).toBe('done');
    expect(
      ['p1@example.com', 'p2@example.com', 'p3@example.com'].map((a) => mailTo(a).map((m) => m.messageId)),
    ).toEqual([[ids[0], ids[0]], [ids[1]], [ids[2]]]);
  });
});
