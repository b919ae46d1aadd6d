// DKIM rotation without a gap: POST /v1/email/sender/dkim/rotate (`kizuna email dkim --rotate`)
// makes a pending RSA key under a new selector while the current key keeps signing; POST
// /v1/email/sender/dkim/activate (`--activate`) switches to it and retires the old record.
// Owners and admins only; one workspace's rotation leaves another's keys alone; mailauth passes a
// test mail against the old record until activation and against the new one after it.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSelector } from '../src/email/dkim.ts';
import { createEmailBed, type EmailBed } from './email-setup.ts';
import { newWorkspace } from './helpers.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

type Records = { name: string; value: string; state?: string; purpose?: string }[];

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

const activate = (headers: Record<string, string>) =>
  bed.t.app.inject({ method: 'POST', url: '/v1/email/sender/dkim/activate', headers });

const dkim = (records: Records, k: 'rsa' | 'ed25519') => records.find((r) => r.value.includes(`k=${k};`));
const inState = (records: Records, state: string) =>
  records.filter((r) => r.state === state && r.name.includes('._domainkey.'));

/** A test mail from the shop's sender, as the relay received it. */
async function testMail(auth: Record<string, string>, to: string): Promise<Buffer> {
  const sent = await bed.t.app.inject({
    method: 'POST',
    url: '/v1/email/test',
    headers: auth,
    payload: { to },
  });
  expect(sent.statusCode, sent.body).toBe(200);
  const [mail] = bed.mailTo(to);
  return mail!.raw;
}

const senderInput = (sender: Record<string, string>) => ({
  fromName: sender.fromName,
  fromAddress: sender.fromAddress,
  postalAddress: sender.postalAddress,
  contact: sender.contact,
});

describe('nextSelector', () => {
  it('counts the trailing number up, adds -2 to a selector without one, and skips taken names', () => {
    expect(nextSelector('kizuna1', [])).toBe('kizuna2');
    expect(nextSelector('kizuna9', [])).toBe('kizuna10');
    expect(nextSelector('mail', [])).toBe('mail-2');
    expect(nextSelector('kizuna1', ['kizuna2', null, 'kizuna3'])).toBe('kizuna4');
  });
});

describe('POST /v1/email/sender/dkim/rotate', () => {
  it('lets owners and admins rotate, and refuses marketers, staff and viewers', async () => {
    const shop = await bed.shop([]);
    const asRole = (role: string) => bed.asRole(shop, role);
    for (const role of ['marketer', 'staff', 'viewer']) {
      const headers = await asRole(role);
      const response = await rotate(headers, { algorithm: 'rsa' });
      expect(response.statusCode, role).toBe(403);
      expect(response.json().error.message).toBe('this needs the "admin" scope');
      const refused = await activate(headers);
      expect(refused.statusCode, role).toBe(403);
      expect(refused.json().error.message).toBe('this needs the "admin" scope');
    }
    // Nothing changed for the refused.
    const before = (await bed.t.app.inject({ url: '/v1/email/sender', headers: shop.auth })).json();
    expect(before.dnsRecords).toEqual(shop.sender.dnsRecords);

    const adminHeaders = await asRole('admin');
    const admin = await rotate(adminHeaders, { algorithm: 'rsa' });
    expect(admin.statusCode, admin.body).toBe(200);
    const [pending] = inState(admin.json().dnsRecords, 'pending');
    expect(pending!.value).not.toBe(dkim(before.dnsRecords, 'rsa')!.value);
    // A second rotation before activation replaces the pending key under the same selector.
    const owner = await rotate(shop.auth, { algorithm: 'rsa' });
    expect(owner.statusCode, owner.body).toBe(200);
    const [again] = inState(owner.json().dnsRecords, 'pending');
    expect(again!.name).toBe(pending!.name);
    expect(again!.value).not.toBe(pending!.value);
    const activated = await activate(adminHeaders);
    expect(activated.statusCode, activated.body).toBe(200);
    expect(dkim(activated.json().dnsRecords, 'rsa')).toMatchObject({
      name: again!.name,
      value: again!.value,
      state: 'active',
    });
  });

  it("rotates only the caller's workspace; a workspace without a sender is 404; a bad algorithm names the field", async () => {
    const a = await bed.shop([]);
    const b = await bed.shop([]);
    expect((await rotate(a.auth, { algorithm: 'rsa' })).statusCode).toBe(200);
    const bNow = (await bed.t.app.inject({ url: '/v1/email/sender', headers: b.auth })).json();
    expect(bNow.dnsRecords).toEqual(b.sender.dnsRecords);
    // b has nothing pending: 409 naming it, even though a's key is pending; a's stays pending.
    const nothing = await activate(b.auth);
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json().error).toMatchObject({ reason: 'no_pending_dkim_key' });
    expect(nothing.json().error.message).toMatch(/^dkimPendingSelector: no pending DKIM key/);
    const aNow = (await bed.t.app.inject({ url: '/v1/email/sender', headers: a.auth })).json();
    expect(aNow.dkimPendingSelector).toBe('kizuna2');
    // The pending selector cannot be given to the active key by hand (one name, two records).
    const taken = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: a.auth,
      payload: { ...senderInput(aNow), dkimSelector: 'kizuna2' },
    });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().error.message).toBe("dkimSelector: is the sender's pending or retired DKIM selector");
    expect((await activate(a.auth)).statusCode).toBe(200);
    const bAfter = (await bed.t.app.inject({ url: '/v1/email/sender', headers: b.auth })).json();
    expect(bAfter.dnsRecords).toEqual(b.sender.dnsRecords);

    const bare = await newWorkspace(bed.t.database, '差出人のない店');
    const none = await rotate({ authorization: `Bearer ${bare.apiKey}` }, { algorithm: 'rsa' });
    expect(none.statusCode).toBe(404);
    const bad = await rotate(a.auth, { algorithm: 'dsa' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/algorithm/);
    expect((await activate({ authorization: `Bearer ${bare.apiKey}` })).statusCode).toBe(404);
  });

  it('keeps signing with the old key until activation, then with the new one only; the old record is offered for removal', async () => {
    const shop = await bed.shop([]);
    const old: Records = shop.sender.dnsRecords;
    const response = await rotate(shop.auth, { algorithm: 'rsa' });
    expect(response.statusCode, response.body).toBe(200);
    const rotated = response.json();
    expect(response.body).not.toMatch(/PRIVATE KEY/);
    expect(rotated.dkimSelector).toBe('kizuna1');
    expect(rotated.dkimPendingSelector).toBe('kizuna2');
    expect(inState(rotated.dnsRecords, 'active')).toEqual([{ ...dkim(old, 'rsa')!, state: 'active' }]);
    const [pending] = inState(rotated.dnsRecords, 'pending');
    expect(pending).toMatchObject({ name: 'kizuna2._domainkey.shop.example.jp', type: 'TXT' });
    expect(pending!.value).toMatch(/^v=DKIM1; k=rsa; p=/);
    expect(pending!.value).not.toBe(dkim(old, 'rsa')!.value);

    // Before activation: the current key signs; the old record verifies it.
    const before = await testMail(shop.auth, 'before-switch@example.jp');
    expect(await verify(before, old)).toEqual(['rsa-sha256 pass']);

    const switched = await activate(shop.auth);
    expect(switched.statusCode, switched.body).toBe(200);
    const after = switched.json();
    expect(switched.body).not.toMatch(/PRIVATE KEY/);
    expect(after).toMatchObject({
      dkimSelector: 'kizuna2',
      dkimPendingSelector: null,
      dkimRetiredSelector: 'kizuna1',
    });
    expect(inState(after.dnsRecords, 'active')).toEqual([
      { ...pending!, state: 'active', purpose: 'DKIM 署名の公開鍵 / DKIM public key' },
    ]);
    const [retired] = inState(after.dnsRecords, 'retired');
    expect(retired).toMatchObject({ name: dkim(old, 'rsa')!.name, value: dkim(old, 'rsa')!.value });
    expect(retired!.purpose).toMatch(/数日後に削除できます.*removed after a few days/);
    // Mail signed before the switch still verifies against what is listed now.
    expect(await verify(before, after.dnsRecords)).toEqual(['rsa-sha256 pass']);

    // After it: the new key signs, under the new selector; the old key verifies nothing new.
    const next = await testMail(shop.auth, 'after-switch@example.jp');
    expect(await verify(next, [pending!])).toEqual(['rsa-sha256 pass']);
    expect(await verify(next, [{ name: pending!.name, value: dkim(old, 'rsa')!.value }])).toEqual([
      'rsa-sha256 fail',
    ]);
    expect(await verify(next, old)).not.toContain('rsa-sha256 pass');

    // Nothing pending any more; the next rotation takes the next number.
    expect((await activate(shop.auth)).statusCode).toBe(409);
    expect((await rotate(shop.auth, { algorithm: 'rsa' })).json().dkimPendingSelector).toBe('kizuna3');
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
