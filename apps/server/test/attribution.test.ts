// Issue #18 item 6, friend-add attribution: sources (posters, receipts, …) with tracked LIFF links;
// a LIFF open with ?src= records the customer's source (first touch wins, also after a friend-add
// the webhook already recorded as line_follow); the report counts friends, LIFF opens, linked
// members, first purchases and LTV in yen per source, friend-adds without one under 不明.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCustomers } from '../src/customers/merge-customers.ts';
import { findByIdentities } from '../src/customers/upsert-customer.ts';
import { transact } from '../src/db/transact.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

const LIFF_ID = '2000000003-AtTrIbUt';
let bed: LineTestBed;
let ws: string;

beforeAll(async () => {
  bed = await createLineTestBed({ seed: 19 });
  ws = bed.workspace.workspaceId;
  const liff = await staff('PUT', `/v1/liff/apps/${bed.channelId}`, {
    liffId: LIFF_ID,
    loginChannelId: bed.line.login.channelId,
    loginChannelSecret: 'login-secret-attribution',
  });
  expect(liff.statusCode, liff.body).toBe(200);
});
afterAll(async () => bed?.close());

function staff(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return bed.app.inject({ method, url, headers: bed.auth, ...(payload ? { payload } : {}) });
}

async function open(userId: string, src?: string) {
  const res = await bed.app.inject({
    method: 'POST',
    url: '/v1/liff/session',
    payload: { liffId: LIFF_ID, idToken: bed.line.login.mintIdToken(userId), ...(src ? { src } : {}) },
  });
  expect(res.statusCode, res.body).toBe(200);
}

const customerOf = async (userId: string) =>
  (await findByIdentities(bed.database.db, ws, [{ kind: 'line', namespace: '', value: userId }]))[0];

/** A friend-add through LINE's signed webhook, waited for until the worker has recorded it. */
async function follow(userId: string): Promise<number> {
  const [attempt] = await bed.line.follow(userId);
  expect(attempt!.status).toBe(200);
  return until(() => customerOf(userId), `follow of ${userId} processed`, { timeoutMs: 30_000 });
}

async function sourceOf(customerId: number): Promise<string | undefined> {
  const { rows } = await sql<{ code: string }>`select s.code from customer_attribution a
    join attribution_source s on s.workspace_id = a.workspace_id and s.id = a.source_id
    where a.workspace_id = ${ws} and a.customer_id = ${customerId}`.execute(bed.database.db);
  return rows[0]?.code;
}

describe('attribution sources', () => {
  it('are created with their tracked LIFF link; a code is unique and URL-safe', async () => {
    const poster = await staff('POST', '/v1/attribution/sources', {
      code: 'shibuya-poster',
      name: '渋谷店 レジ横ポスター',
      kind: 'poster',
    });
    expect(poster.statusCode, poster.body).toBe(201);
    expect(poster.json()).toMatchObject({
      code: 'shibuya-poster',
      kind: 'poster',
      urls: [`https://liff.line.me/${LIFF_ID}?src=shibuya-poster`],
    });
    const receipt = await staff('POST', '/v1/attribution/sources', {
      code: 'receipt',
      name: 'レシート',
      kind: 'receipt',
    });
    expect(receipt.statusCode).toBe(201);
    const twice = await staff('POST', '/v1/attribution/sources', {
      code: 'receipt',
      name: '別',
      kind: 'other',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/^code: "receipt" is already used/);
    const bad = await staff('POST', '/v1/attribution/sources', { code: 'a b', name: 'x', kind: 'poster' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/code/);
    const renamed = await staff('PUT', `/v1/attribution/sources/${receipt.json().id}`, {
      name: 'レシート下部のQR',
      kind: 'receipt',
    });
    expect(renamed.json()).toMatchObject({ code: 'receipt', name: 'レシート下部のQR' });
    const list = await staff('GET', '/v1/attribution/sources');
    expect(list.json().items.map((s: { code: string }) => s.code)).toEqual(['shibuya-poster', 'receipt']);
  });
});

describe('recording a source and the report by source', () => {
  it('counts friends, opens, linked members, first purchases and LTV per source; no source is 不明', async () => {
    // A friend-add with no source at all: unknown.
    const plain = bed.line.users.create({ displayName: '不明 一郎' });
    await follow(plain.userId);
    // Friend first (the webhook records line_follow), then a LIFF open from the poster: the
    // source attaches, the acquisition source stays line_follow.
    const poster = bed.line.users.create({ displayName: 'ポスター 花子' });
    const posterCustomer = await follow(poster.userId);
    await open(poster.userId, 'shibuya-poster');
    expect(await sourceOf(posterCustomer)).toBe('shibuya-poster');
    const profile = await staff('GET', `/v1/customers/${posterCustomer}`);
    expect(profile.json().acquisitionSource).toBe('line_follow');
    // She links her email and buys after: a linked member with a first purchase of ¥3,000.
    const order = await staff('POST', '/v1/orders', {
      orders: [
        {
          id: 'ATT-1',
          customer: { lineUserId: poster.userId, email: 'hanako@example.jp' },
          orderedAt: new Date(Date.now() + 60_000).toISOString(),
          total: 3000,
        },
      ],
    });
    expect(order.statusCode, order.body).toBe(200);
    // A receipt open first, then the poster: first touch wins (receipt). Then a friend-add.
    const receipt = bed.line.users.create({ displayName: 'レシート 次郎' });
    await open(receipt.userId, 'receipt');
    await open(receipt.userId, 'shibuya-poster');
    const receiptCustomer = (await customerOf(receipt.userId))!;
    expect(await sourceOf(receiptCustomer)).toBe('receipt');
    // An unknown code records nothing and still opens the app.
    const stray = bed.line.users.create({ displayName: '迷子 三郎' });
    await open(stray.userId, 'no-such-code');
    expect(await sourceOf((await customerOf(stray.userId))!)).toBeUndefined();

    const report = await staff('GET', '/v1/analytics/attribution');
    expect(report.statusCode, report.body).toBe(200);
    const rows = report.json().rows as { code: string | null; name: string }[];
    const by = (code: string | null) => rows.find((r) => r.code === code);
    expect(by('shibuya-poster')).toMatchObject({
      kind: 'poster',
      opens: 1,
      friends: 1,
      customers: 1,
      linkedMembers: 1,
      firstPurchases: 1,
      revenue: 3000,
      ltv: 3000,
    });
    expect(by('receipt')).toMatchObject({
      opens: 1,
      friends: 0,
      customers: 1,
      linkedMembers: 0,
      firstPurchases: 0,
      ltv: 0,
    });
    expect(by(null)).toMatchObject({
      name: '不明',
      kind: null,
      opens: 0,
      friends: 1,
      customers: 1,
      revenue: 0,
    });

    // A range before anything happened is all zeros; a bad day names its field.
    const before = await staff('GET', '/v1/analytics/attribution?from=2020-01-01&to=2020-01-31');
    expect(
      before.json().rows.every((r: { customers: number; friends: number }) => !r.customers && !r.friends),
    ).toBe(true);
    const bad = await staff('GET', '/v1/analytics/attribution?from=2026-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^from: "2026-02-30" is not a calendar day/);
  });

  it('a merge keeps the earliest source of the records', async () => {
    const a = bed.line.users.create({ displayName: '統合 A' });
    const b = bed.line.users.create({ displayName: '統合 B' });
    await open(a.userId, 'receipt');
    await open(b.userId, 'shibuya-poster');
    const [ca, cb] = [(await customerOf(a.userId))!, (await customerOf(b.userId))!];
    const { survivorId } = await transact(bed.database.db, (tx) =>
      mergeCustomers(tx, ws, [cb, ca], { identities: [], source: 'test' }),
    );
    expect(survivorId).toBe(Math.min(ca, cb));
    expect(await sourceOf(survivorId)).toBe('receipt');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from customer_attribution
      where workspace_id = ${ws} and customer_id = any (${[ca, cb]}::bigint[])`.execute(bed.database.db);
    expect(rows[0]!.n).toBe(1);
  });
});
