// DKIM rotation from the console: POST /v1/email/sender/dkim/rotate does what `kizuna email dkim
// --rotate` does (rotateDkimKey). Owners and admins only; one workspace's rotation leaves another's
// key alone; the RSA key is replaced under the same selector and mail is signed with it at once:
// mailauth passes it against the new record and fails it against the old one.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAsNewUser, invite } from './auth-helpers.ts';
import { createEmailBed, type EmailBed } from './email-setup.ts';
import { newWorkspace } from './helpers.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

type Records = { name: string; value: string }[];

/** mailauth's result per signature, resolving DKIM records from `records` only. */
async function verify(raw: Buffer, records: Records): Promise<string[]> {
  const { results } = await dkimVerify(raw, {
    resolver: async (name: string, type: string) => {
      const record = records.find((r) => r.name === name);
      if (type === 'TXT' && record) return [[record.value]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  return results
    .map((r: { algo?: string; status: { result: string } }) => `${r.algo} ${r.status.result}`)
    .sort();
}

const rotate = (headers: Record<string, string>, payload: object) =>
  bed.t.app.inject({ method: 'POST', url: '/v1/email/sender/dkim/rotate', headers, payload });

const dkim = (records: Records, k: 'rsa' | 'ed25519') => records.find((r) => r.value.includes(`k=${k};`));

describe('POST /v1/email/sender/dkim/rotate', () => {
  it('lets owners and admins rotate, and refuses marketers, staff and viewers', async () => {
    const shop = await bed.shop([]);
    const asRole = async (role: string) => {
      const token = await invite(bed.t.app, shop.auth, `${role}-${shop.ws.slice(0, 8)}@example.jp`, role);
      return (await acceptAsNewUser(bed.t.app, token, `${role}-Kizuna-2026-pass`)).browser.headers(shop.ws);
    };
    for (const role of ['marketer', 'staff', 'viewer']) {
      const response = await rotate(await asRole(role), { algorithm: 'rsa' });
      expect(response.statusCode, role).toBe(403);
      expect(response.json().error.message).toBe('this needs the "admin" scope');
    }
    // Nothing changed for the refused.
    const before = (await bed.t.app.inject({ url: '/v1/email/sender', headers: shop.auth })).json();
    expect(before.dnsRecords).toEqual(shop.sender.dnsRecords);

    const admin = await rotate(await asRole('admin'), { algorithm: 'rsa' });
    expect(admin.statusCode, admin.body).toBe(200);
    expect(dkim(admin.json().dnsRecords, 'rsa')!.value).not.toBe(dkim(before.dnsRecords, 'rsa')!.value);
    const owner = await rotate(shop.auth, { algorithm: 'rsa' });
    expect(owner.statusCode, owner.body).toBe(200);
    expect(dkim(owner.json().dnsRecords, 'rsa')!.value).not.toBe(dkim(admin.json().dnsRecords, 'rsa')!.value);
  });

  it("rotates only the caller's workspace; a workspace without a sender is 404; a bad algorithm names the field", async () => {
    const a = await bed.shop([]);
    const b = await bed.shop([]);
    expect((await rotate(a.auth, { algorithm: 'rsa' })).statusCode).toBe(200);
    const bNow = (await bed.t.app.inject({ url: '/v1/email/sender', headers: b.auth })).json();
    expect(bNow.dnsRecords).toEqual(b.sender.dnsRecords);

    const bare = await newWorkspace(bed.t.database, '差出人のない店');
    const none = await rotate({ authorization: `Bearer ${bare.apiKey}` }, { algorithm: 'rsa' });
    expect(none.statusCode).toBe(404);
    const bad = await rotate(a.auth, { algorithm: 'dsa' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/algorithm/);
  });

  it('signs mail with the new RSA key at once, under the same selector: the old record no longer verifies it', async () => {
    const shop = await bed.shop([]);
    const old = shop.sender.dnsRecords;
    const response = await rotate(shop.auth, { algorithm: 'rsa' });
    expect(response.statusCode, response.body).toBe(200);
    const records: Records = response.json().dnsRecords;
    expect(dkim(records, 'rsa')!.name).toBe(dkim(old, 'rsa')!.name);
    expect(dkim(records, 'rsa')!.value).not.toBe(dkim(old, 'rsa')!.value);

    const sent = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/test',
      headers: shop.auth,
      payload: { to: 'rotated@example.jp' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const [mail] = bed.mailTo('rotated@example.jp');
    expect(await verify(mail!.raw, records)).toEqual(['rsa-sha256 pass']);
    expect(await verify(mail!.raw, old)).toEqual(['rsa-sha256 fail']);
  });

  it('with ed25519, adds an Ed25519 key beside RSA (RSA unchanged), and both sign', async () => {
    const shop = await bed.shop([]);
    const response = await rotate(shop.auth, { algorithm: 'ed25519' });
    expect(response.statusCode, response.body).toBe(200);
    const sender = response.json();
    expect(sender.dkimEd25519Selector).toBe('kizuna-ed25519');
    expect(dkim(sender.dnsRecords, 'rsa')).toEqual(dkim(shop.sender.dnsRecords, 'rsa'));
    expect(dkim(sender.dnsRecords, 'ed25519')!.name).toBe('kizuna-ed25519._domainkey.shop.example.jp');

    await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/test',
      headers: shop.auth,
      payload: { to: 'ed-rotated@example.jp' },
    });
    const [mail] = bed.mailTo('ed-rotated@example.jp');
    expect(await verify(mail!.raw, sender.dnsRecords)).toEqual(['ed25519-sha256 pass', 'rsa-sha256 pass']);
  });
});
