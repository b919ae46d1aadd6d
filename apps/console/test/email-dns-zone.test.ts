// The console's zone-file form of the sender's records is the one `kizuna email dkim` prints
// (the server's formatDnsRecords), for a sender with an RSA and an Ed25519 key; and each record
// is named for what it is.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatDnsRecords } from '../../server/src/email/email-cli.ts';
import { getSender, rotateDkimKey } from '../../server/src/email/sender.ts';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { recordKind, zoneFile } from '../src/email/dns-zone.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('gives the records as `kizuna email dkim` prints them, long DKIM values split at 255', async () => {
  const put = await t.app.inject({
    method: 'PUT',
    url: '/v1/email/sender',
    headers: t.auth,
    payload: {
      fromName: '絆珈琲',
      fromAddress: 'news@kizuna-coffee.jp',
      postalAddress: '東京都渋谷区神南1-2-3',
      contact: '03-1234-5678',
    },
  });
  expect(put.statusCode, put.body).toBe(200);
  await rotateDkimKey(t.database.db, t.secrets, t.workspace.workspaceId, 'ed25519');
  const res = await t.app.inject({ method: 'GET', url: '/v1/email/sender', headers: t.auth });
  const records = res.json().dnsRecords;
  expect(records.map(recordKind)).toEqual(['dkim', 'dkimEd25519', 'spf', 'dmarc']);
  const printed = formatDnsRecords(await getSender(t.database.db, t.workspace.workspaceId));
  expect(zoneFile(records)).toBe(printed);
  // The RSA key's value is longer than one TXT string: it is split into quoted parts.
  expect(printed).toMatch(/kizuna1\._domainkey\.kizuna-coffee\.jp\. IN TXT "[^"]{255}" "/);
});
