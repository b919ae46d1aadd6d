// What comes back after a mail left: a DSN and an ARF report received by the inbound SMTP
// listener at the VERP return path, the mailto unsubscribe, the open pixel; and MJML templates.
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { type InboundOptions, startInboundSmtp } from '../src/email/inbound-smtp.ts';
import { systemClock } from '../src/shared/clock.ts';
import { content, createEmailBed, type EmailBed, PUBLIC_URL } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
let inbound: { port: number; close(): Promise<void> };
beforeAll(async () => {
  bed = await createEmailBed();
  const options: InboundOptions = {
    db: bed.t.database.db,
    secrets: bed.t.secrets,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
  };
  inbound = await startInboundSmtp({ ...options, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await inbound?.close();
  await bed?.close();
});

/** Mails `raw` to the inbound listener as a receiving MTA would (MAIL FROM <>, as DSNs are). */
async function report(to: string, raw: string) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: inbound.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    return await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
  } finally {
    transport.close();
  }
}

function dsn(to: string, action: string, status: string, diagnostic: string) {
  return [
    'From: MAILER-DAEMON@mx.example.com',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Your message could not be delivered.',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.com',
    '',
    'Final-Recipient: rfc822; someone@example.com',
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--B--',
    '',
  ].join('\r\n');
}

function arf(to: string) {
  return [
    'From: fbl@isp.example.net',
    `To: ${to}`,
    'Subject: FW: abuse report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    '',
    '--F',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '',
    '--F',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ExampleFBL/1.0',
    'Version: 1',
    '',
    '--F',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: hello',
    '',
    '--F--',
    '',
  ].join('\r\n');
}

async function sentTo(shop: Awaited<ReturnType<EmailBed['shop']>>, address: string) {
  const { id } = await bed.send(shop.auth, {
    idempotencyKey: `k-${address}`,
    customerIds: shop.ids,
    content,
  });
  await bed.deliver(shop.ws, id);
  const mail = bed.mailTo(address).at(-1)!;
  return { sendId: id, mail };
}

async function consentOf(ws: string, customerId: number) {
  const { rows } = await sql<{ status: string; source: string }>`
    select e.status, e.source from consent_event e where e.workspace_id = ${ws} and e.customer_id = ${customerId}
      and e.channel = 'email' and e.purpose = 'marketing' order by e.id desc limit 1`.execute(
    bed.t.database.db,
  );
  return rows[0];
}

describe('bounces, complaints and unsubscribes received by the inbound listener', () => {
  it('a hard bounce (DSN 5.1.1) suppresses the address and blocks the customer', async () => {
    const shop = await bed.shop(['gone@example.com']);
    const { sendId, mail } = await sentTo(shop, 'gone@example.com');
    await report(mail.from, dsn(mail.from, 'failed', '5.1.1', '550 5.1.1 User unknown'));
    expect(await consentOf(shop.ws, shop.ids[0]!)).toEqual({ status: 'blocked', source: 'email_bounce' });
    const { rows } = await sql<{ suppressed: boolean; reason: string }>`
      select suppressed, reason from email_suppression where workspace_id = ${shop.ws} and address = 'gone@example.com'`.execute(
      bed.t.database.db,
    );
    expect(rows).toEqual([{ suppressed: true, reason: 'hard_bounce' }]);
    const messages = (
      await bed.t.app.inject({ url: `/v1/email/sends/${sendId}/messages`, headers: shop.auth })
    ).json();
    expect(messages.items[0].feedback).toBe('hard_bounce');
    // A transactional mail respects the hard bounce too.
    const receipt = await bed.send(shop.auth, {
      idempotencyKey: 'receipt',
      customerIds: shop.ids,
      content,
      kind: 'transactional',
    });
    await bed.deliver(shop.ws, receipt.id);
    expect(bed.mailTo('gone@example.com')).toHaveLength(1);
    // Consent granted again (a sign-up form) does not revive a bounced address.
    await bed.t.database.db.transaction().execute((tx) =>
      recordConsent(tx, shop.ws, shop.ids[0]!, {
        channel: 'email',
        purpose: 'marketing',
        status: 'granted',
        source: 'form',
      }),
    );
    const later = await bed.send(shop.auth, { idempotencyKey: 'later', customerIds: shop.ids, content });
    await bed.deliver(shop.ws, later.id);
    expect(bed.mailTo('gone@example.com')).toHaveLength(1);
    const decisions = (
      await bed.t.app.inject({ url: `/v1/email/sends/${later.id}/messages`, headers: shop.auth })
    ).json();
    expect(decisions.items[0]).toMatchObject({ status: 'skipped', reason: 'suppressed' });
  });

  it('soft bounces count, and the third suppresses the address', async () => {
    const shop = await bed.shop(['full@example.com']);
    const { mail } = await sentTo(shop, 'full@example.com');
    for (let i = 1; i <= 3; i++) {
      await report(mail.from, dsn(mail.from, 'delayed', '4.2.2', '452 4.2.2 Mailbox full'));
      const { rows } = await sql<{ soft_bounces: number; suppressed: boolean }>`
        select soft_bounces, suppressed from email_suppression where workspace_id = ${shop.ws}`.execute(
        bed.t.database.db,
      );
      expect(rows[0]).toEqual({ soft_bounces: i, suppressed: i >= 3 });
    }
    expect((await consentOf(shop.ws, shop.ids[0]!))?.status).toBe('blocked');
  });

  it('an ARF abuse report withdraws marketing consent (source email_complaint)', async () => {
    const shop = await bed.shop(['angry@example.com']);
    const { mail } = await sentTo(shop, 'angry@example.com');
    await report(mail.from, arf(mail.from));
    expect(await consentOf(shop.ws, shop.ids[0]!)).toEqual({ status: 'revoked', source: 'email_complaint' });
  });

  it('the List-Unsubscribe mailto unsubscribes; unknown recipients are refused at RCPT', async () => {
    const shop = await bed.shop(['mailto@example.com']);
    const { mail } = await sentTo(shop, 'mailto@example.com');
    const mailto = /<mailto:([^>]+)>/.exec(headerValue(mail.raw, 'List-Unsubscribe'))![1]!;
    await report(mailto, 'Subject: unsubscribe\r\n\r\nunsubscribe\r\n');
    expect(await consentOf(shop.ws, shop.ids[0]!)).toEqual({
      status: 'revoked',
      source: 'email_unsubscribe_mailto',
    });
    await expect(report('postmaster@shop.example.jp', 'Subject: hi\r\n\r\nhi\r\n')).rejects.toThrow(/550/);
  });

  it('the open pixel records one (estimated) open per message, and answers the same for a bad token', async () => {
    const shop = await bed.shop(['reader@example.com']);
    const { sendId, mail } = await sentTo(shop, 'reader@example.com');
    const html = (await import('mailparser')).simpleParser(mail.raw).then((p) => String(p.html));
    const pixel = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/o/[A-Za-z0-9_-]+\\.gif)`).exec(
      await html,
    )![1]!;
    for (let i = 0; i < 2; i++)
      expect((await bed.t.app.inject({ url: pixel })).headers['content-type']).toBe('image/gif');
    expect((await bed.t.app.inject({ url: '/o/nonsense.gif' })).statusCode).toBe(200);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from email_event where workspace_id = ${shop.ws} and send_id = ${sendId} and kind = 'open'`.execute(
      bed.t.database.db,
    );
    expect(rows[0]!.n).toBe(1);
  });
});

describe('MJML templates', () => {
  const good = `<mjml>\n<mj-body>\n<mj-section><mj-column>\n<mj-text>冬の新作 <a href="https://shop.example.jp/menu">メニュー</a></mj-text>\n</mj-column></mj-section>\n</mj-body>\n</mjml>`;

  it('refuses a template that does not compile, naming the line and reason', async () => {
    const shop = await bed.shop([]);
    const bad = good.replace('<mj-column>', '<mj-colum>').replace('</mj-column>', '</mj-colum>');
    const response = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/templates',
      headers: shop.auth,
      payload: { name: '冬', subject: '冬の新作', mjml: bad },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^mjml: line 3: Element mj-colum doesn't exist/);
  });

  it('compiles a template to HTML and text, previews it for a customer, and sends from it', async () => {
    const shop = await bed.shop(['tpl@example.com']);
    const saved = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/templates',
      headers: shop.auth,
      payload: { name: '冬', subject: '冬の新作のお知らせ', mjml: good },
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const template = saved.json();
    expect(template.html).toMatch(/^<!doctype html>/i);
    expect(template.text).toContain('冬の新作 メニュー (https://shop.example.jp/menu)');
    const preview = await bed.t.app.inject({
      method: 'POST',
      url: `/v1/email/templates/${template.id}/preview`,
      headers: shop.auth,
      payload: { customerId: shop.ids[0] },
    });
    expect(preview.json()).toMatchObject({ to: 'tpl@example.com', subject: '冬の新作のお知らせ' });
    expect(preview.json().text).toContain('住所 / Address: 東京都渋谷区神南1-2-3');
    const { id } = await bed.send(shop.auth, {
      idempotencyKey: 'tpl',
      customerIds: shop.ids,
      templateId: template.id,
    });
    await bed.deliver(shop.ws, id);
    expect(headerValue(bed.mailTo('tpl@example.com')[0]!.raw, 'Subject')).toMatch(/^=\?UTF-8\?/i);
  });
});
