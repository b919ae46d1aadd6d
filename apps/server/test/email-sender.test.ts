// Setting up email: KIZUNA_SMTP_URL, the sender (bad input named by field), the DNS records to
// publish as `kizuna email dkim` prints them, and a test mail through the relay.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { formatDnsRecords } from '../src/email/email-cli.ts';
import { createEmailBed, type EmailBed } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

describe('email setup', () => {
  it('parses KIZUNA_SMTP_URL once, masks its password, and names the key when it is wrong', () => {
    const config = loadConfig({
      KIZUNA_SMTP_URL: 'smtp://kizuna:s3cret@mail.example.jp:587?requireTLS=true',
    });
    expect(config.smtp).toMatchObject({
      host: 'mail.example.jp',
      port: 587,
      secure: false,
      requireTls: true,
      connections: 5,
    });
    expect(loadConfig({ KIZUNA_SMTP_URL: 'smtp://mail.example.jp?connections=12' }).smtp?.connections).toBe(
      12,
    );
    for (const bad of ['0', '51', '2.5', 'many'])
      expect(() => loadConfig({ KIZUNA_SMTP_URL: `smtp://mail.example.jp?connections=${bad}` })).toThrow(
        new ConfigError('KIZUNA_SMTP_URL', `?connections= must be a whole number from 1 to 50, got "${bad}"`),
      );
    expect(config.smtp?.display).toBe('smtp://kizuna:***@mail.example.jp:587?requireTLS=true');
    expect(loadConfig({ KIZUNA_SMTP_URL: 'smtps://relay.example.jp' }).smtp).toMatchObject({
      port: 465,
      secure: true,
    });
    expect(() => loadConfig({ KIZUNA_SMTP_URL: 'http://mail.example.jp' })).toThrow(
      new ConfigError('KIZUNA_SMTP_URL', 'must start with smtp:// or smtps://, got http://'),
    );
    expect(() => loadConfig({ KIZUNA_INBOUND_SMTP_PORT: 'x' })).toThrow(/^KIZUNA_INBOUND_SMTP_PORT: /);
  });

  it('refuses a sender with a bad address, naming the field, and without the specified-mail identity', async () => {
    const shop = await bed.shop([]);
    const response = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: shop.auth,
      payload: { fromName: '絆', fromAddress: 'news at shop', postalAddress: ' ', contact: '03-1234-5678' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      'postalAddress: must be 1 to 300 characters; fromAddress: not an email address',
    );
  });

  it('takes a reply-to of null or empty as none (it was a 500: null arrived as "" and broke the check)', async () => {
    const shop = await bed.shop([]);
    const put = (replyTo: string | null) =>
      bed.t.app.inject({
        method: 'PUT',
        url: '/v1/email/sender',
        headers: shop.auth,
        payload: {
          fromName: '絆',
          fromAddress: 'news@shop.example.jp',
          replyTo,
          postalAddress: '東京都渋谷区神南1-2-3',
          contact: '03-1234-5678',
        },
      });
    for (const replyTo of [null, '']) {
      const response = await put(replyTo);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().replyTo).toBeNull();
    }
    expect((await put('support@shop.example.jp')).json().replyTo).toBe('support@shop.example.jp');
    expect((await put(null)).json().replyTo).toBeNull();
  });

  it('gives the DKIM, SPF and DMARC records, as `kizuna email dkim` prints them', async () => {
    const shop = await bed.shop([]);
    const sender = (await bed.t.app.inject({ url: '/v1/email/sender', headers: shop.auth })).json();
    const printed = formatDnsRecords(sender);
    expect(printed).toMatch(
      /^kizuna1\._domainkey\.shop\.example\.jp\. IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+" "[A-Za-z0-9+/=]+"$/m,
    );
    expect(printed).toContain('shop.example.jp. IN TXT "v=spf1 a mx ~all"');
    expect(printed).toContain('_dmarc.shop.example.jp. IN TXT "v=DMARC1; p=none;');
    // A second PUT keeps the key (mail signed before it still verifies).
    const again = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: shop.auth,
      payload: {
        fromName: '珈琲 絆 渋谷店',
        fromAddress: 'news@shop.example.jp',
        postalAddress: '東京都',
        contact: '03',
      },
    });
    expect(again.json().dnsRecords[0].value).toBe(sender.dnsRecords[0].value);
  });

  it('sends a test mail through the relay, DKIM-signed, with a Japanese subject', async () => {
    const shop = await bed.shop([]);
    const response = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/test',
      headers: shop.auth,
      payload: { to: 'owner@example.jp' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [mail] = bed.mailTo('owner@example.jp');
    expect(mail!.messageId).toBe(response.json().messageId);
    expect(headerValue(mail!.raw, 'DKIM-Signature')).toContain('d=shop.example.jp');
    expect((await simpleParser(mail!.raw)).subject).toBe('【テスト】珈琲 絆 からのテストメール / Test email');
  });
});
