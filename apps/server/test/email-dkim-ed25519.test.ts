// Ed25519 DKIM (RFC 8463) beside RSA: a sender given an Ed25519 key (as `kizuna email dkim
// --algorithm ed25519` does) signs each mail twice, and an independent verifier (mailauth)
// accepts both signatures against the records the sender's setup says to publish.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relaxedBody } from '../src/email/dkim-signature.ts';
import { formatDnsRecords } from '../src/email/email-cli.ts';
import { rotateDkimKey } from '../src/email/sender.ts';
import { content, createEmailBed, type EmailBed } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

type Records = { name: string; value: string }[];

/** mailauth over `raw`, resolving the DKIM records from `records` only. */
async function verify(raw: Buffer, records: Records) {
  const { results } = await dkimVerify(raw, {
    resolver: async (name: string, type: string) => {
      const record = records.find((r) => r.name === name);
      if (type === 'TXT' && record) return [[record.value]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  return results.map((r: { algo?: string; status: { result: string }; selector?: string }) => ({
    algo: r.algo,
    selector: r.selector,
    result: r.status.result,
  }));
}

describe('Ed25519 DKIM (RFC 8463) beside RSA', () => {
  it('RFC 6376 3.4.5 example: the relaxed body of " C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n" is " C\\r\\nD E\\r\\n"', () => {
    expect(relaxedBody(' C \r\nD \t E\r\n\r\n\r\n')).toBe(' C\r\nD E\r\n');
    expect(relaxedBody('\r\n\r\n')).toBe('');
  });

  it('a sender with both keys signs every mail twice; mailauth passes both against the published records', async () => {
    const shop = await bed.shop(['ed@example.com']);
    const sender = await rotateDkimKey(bed.t.database.db, bed.t.secrets, shop.ws, 'ed25519');
    expect(sender.dkimEd25519Selector).toBe('kizuna-ed25519');
    const printed = formatDnsRecords(sender);
    expect(printed).toMatch(
      /^kizuna-ed25519\._domainkey\.shop\.example\.jp\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/m,
    );
    expect(printed).toMatch(/^kizuna1\._domainkey\.shop\.example\.jp\. IN TXT "v=DKIM1; k=rsa; /m);
    // The API shows the same records.
    const view = (await bed.t.app.inject({ url: '/v1/email/sender', headers: shop.auth })).json();
    expect(view.dkimEd25519Selector).toBe('kizuna-ed25519');
    expect(view.dnsRecords).toEqual(sender.dnsRecords);

    const { id } = await bed.send(shop.auth, { idempotencyKey: 'ed', customerIds: shop.ids, content });
    expect(await bed.deliver(shop.ws, id)).toBe('done');
    const [mail] = bed.mailTo('ed@example.com');
    const raw = mail!.raw;
    expect(raw.toString('latin1').match(/^DKIM-Signature:/gim)).toHaveLength(2);
    const results = await verify(raw, sender.dnsRecords);
    expect(results.sort((a, b) => String(a.algo).localeCompare(String(b.algo)))).toEqual([
      { algo: 'ed25519-sha256', selector: 'kizuna-ed25519', result: 'pass' },
      { algo: 'rsa-sha256', selector: 'kizuna1', result: 'pass' },
    ]);
    // The message itself is the one composed: subject, footer, List-Unsubscribe (signed by both).
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.text).toContain('東京都渋谷区神南1-2-3');
    expect(headerValue(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(raw.toString('latin1')).toMatch(
      /a=ed25519-sha256;[\s\S]*h=[^;]*list-unsubscribe:list-unsubscribe-post/,
    );

    // Against another Ed25519 key under the same name, that signature fails and RSA still passes.
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    const wrong = sender.dnsRecords.map((r) =>
      r.value.includes('k=ed25519')
        ? { ...r, value: `v=DKIM1; k=ed25519; p=${Buffer.from(other, 'base64url').toString('base64')}` }
        : r,
    );
    const failed = await verify(raw, wrong);
    expect(failed.find((r) => r.algo === 'ed25519-sha256')?.result).toBe('fail');
    expect(failed.find((r) => r.algo === 'rsa-sha256')?.result).toBe('pass');
  });

  it('a test mail is signed with both keys too; a rotation makes a new Ed25519 key under the same selector', async () => {
    const shop = await bed.shop([]);
    const first = await rotateDkimKey(bed.t.database.db, bed.t.secrets, shop.ws, 'ed25519');
    const second = await rotateDkimKey(bed.t.database.db, bed.t.secrets, shop.ws, 'ed25519');
    const ed = (s: typeof first) => s.dnsRecords.find((r) => r.value.includes('k=ed25519'))!;
    expect(ed(second).name).toBe(ed(first).name);
    expect(ed(second).value).not.toBe(ed(first).value);
    const response = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/test',
      headers: shop.auth,
      payload: { to: 'owner-ed@example.jp' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [mail] = bed.mailTo('owner-ed@example.jp');
    expect(mail!.messageId).toBe(response.json().messageId);
    const results = await verify(mail!.raw, second.dnsRecords);
    expect(results.map((r) => `${r.algo} ${r.result}`).sort()).toEqual([
      'ed25519-sha256 pass',
      'rsa-sha256 pass',
    ]);
    // The record from before the rotation no longer verifies the new signature.
    expect((await verify(mail!.raw, first.dnsRecords)).find((r) => r.algo === 'ed25519-sha256')?.result).toBe(
      'fail',
    );
  });

  it('a sender selector may not take the Ed25519 key’s, naming the field', async () => {
    const shop = await bed.shop([]);
    await rotateDkimKey(bed.t.database.db, bed.t.secrets, shop.ws, 'ed25519');
    const response = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: shop.auth,
      payload: {
        fromName: '絆',
        fromAddress: 'news@shop.example.jp',
        postalAddress: '東京都',
        contact: '03',
        dkimSelector: 'kizuna-ed25519',
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      "dkimSelector: is the sender's Ed25519 selector; choose another",
    );
  });
});
