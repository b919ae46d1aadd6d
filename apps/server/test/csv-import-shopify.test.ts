// A Japanese Shopify orders export (test/fixtures/csv/shopify-orders-ja.csv, newest first as
// Shopify writes it) with paid, pending, authorized, partially paid, refunded, partially refunded
// and voided orders: each mapping of csv-import/README.md, unpaid orders kept out of revenue,
// points, stamps and segments, and a later export that says paid counting them exactly once.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshView } from '../src/analytics/analytics-views.ts';
import { oneCustomerLtv } from '../src/analytics/clv-read.ts';
import { normalisePostalCode } from '../src/csv-import/csv-values.ts';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { formatRowProblem } from '../src/csv-import/row-problem.ts';
import { splitBillingName } from '../src/csv-import/shopify-customer.ts';
import { transact } from '../src/db/transact.ts';
import { LOYALTY_JOBS } from '../src/loyalty/jobs.ts';
import { syncOrdersLoyalty } from '../src/loyalty/order-points.ts';
import { loadRules } from '../src/loyalty/rules.ts';
import { createStampCardTemplate } from '../src/loyalty/stamp-cards.ts';
import { spendBases } from '../src/loyalty/tiers.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { prefectureName } from '../src/shared/prefectures.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'csv', 'shopify-orders-ja.csv');
const LINE_UID = 'U4af4980629a8e7b0cf2f3c8e1b2d5a9e';
const dir = mkdtempSync(join(tmpdir(), 'kizuna-shopify-'));

let t: TestApp;
let ws: string;
const segments: { buyers: number; spent4000: number } = { buyers: 0, spent4000: 0 };
let stampCardId = 0;

async function api(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function customerId(email: string): Promise<number> {
  const { rows } = await sql<{ customer_id: number }>`select customer_id from customer_identity
    where workspace_id = ${ws} and kind = 'email' and value = ${email}`.execute(t.database.db);
  return Number(rows[0]!.customer_id);
}

async function members(segmentId: number): Promise<number[]> {
  const body = await api('GET', `/v1/segments/${segmentId}/members`);
  return body.items.map((m: { customerId: number }) => m.customerId).sort();
}

async function points(id: number): Promise<number> {
  const { rows } = await sql<{ points: number | null }>`select sum(points)::int as points from point_entry
    where workspace_id = ${ws} and customer_id = ${id}`.execute(t.database.db);
  return Number(rows[0]?.points ?? 0);
}

async function orderStamps(id: number): Promise<number> {
  const { rows } = await sql<{ stamps: number | null }>`select sum(stamps)::int as stamps from stamp_card
    where workspace_id = ${ws} and customer_id = ${id} and template_id = ${stampCardId}`.execute(
    t.database.db,
  );
  return Number(rows[0]?.stamps ?? 0);
}

beforeAll(async () => {
  t = await createTestApp({ jobs: [...LOYALTY_JOBS, ...SEGMENT_JOBS] });
  ws = t.workspace.workspaceId;
  // Points last ten years here, so the fixture's 2026 orders still earn for as long as this test lives.
  await api('PUT', '/v1/loyalty/rules', { lotValidityMonths: 120 });
  stampCardId = (
    await createStampCardTemplate(t.database.db, ws, {
      name: 'ご注文ごとに1スタンプ',
      stampsRequired: 10,
      stampPer: 'order',
      minOrderTotal: 0,
    })
  ).id;
  segments.buyers = (
    await api('POST', '/v1/segments', {
      name: '購入者',
      definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 1 },
    })
  ).id;
  segments.spent4000 = (
    await api('POST', '/v1/segments', {
      name: '累計4,000円以上',
      definition: { aggregate: { of: 'orders', measure: 'sum' }, op: 'gte', value: 4000 },
    })
  ).id;
  // A customer known before the import, who opted in to email on a web form.
  await api('POST', '/v1/customers', {
    customers: [
      {
        email: 'yuko@example.jp',
        consents: [
          {
            channel: 'email',
            purpose: 'marketing',
            status: 'granted',
            source: 'web_form',
            occurredAt: '2026-01-10T00:00:00+09:00',
          },
        ],
      },
    ],
  });
});
afterAll(async () => t?.close());

describe('Shopify import of a Japanese export', () => {
  it('imports every order; a LINE userId that is not one is a warning naming its line, not a stop', async () => {
    const summary = await importCsv(t.database, {
      kind: 'orders',
      file: FIXTURE,
      workspaceId: ws,
      publish: t.jobs!.publish,
    });
    expect(summary).toMatchObject({
      format: 'shopify',
      imported: true,
      rows: 15,
      created: 12,
      customersCreated: 7,
      problemCount: 0,
      warningCount: 1,
    });
    // #1005 starts on line 12: #1012's note attributes take two physical lines (2 and 3).
    expect(summary.warnings.map(formatRowProblem)).toEqual([
      'line 12, column Note Attributes: line_user_id "Uabc123" is not a LINE userId (U followed by 32 hex digits); the customer was imported without it',
    ]);
    expect(readFileSync(FIXTURE, 'utf8').split('\n')[11]).toMatch(/^#1005,sho@example.jp,/);
  });

  it('keeps Shopify financial status on the order; unpaid ones are pending, voided is cancelled', async () => {
    const all = await api('GET', '/v1/orders?limit=50');
    const byId = Object.fromEntries(
      all.items.map((o: { externalId: string; status: string; financialStatus: string | null }) => [
        o.externalId,
        `${o.status}/${o.financialStatus}`,
      ]),
    );
    expect(byId).toEqual({
      '#1012': 'completed/paid',
      '#1011': 'pending/pending',
      '#1010': 'pending/authorized',
      '#1009': 'pending/partially_paid',
      '#1008': 'refunded/refunded',
      '#1007': 'cancelled/voided',
      '#1006': 'completed/paid',
      '#1005': 'completed/paid',
      '#1004': 'completed/paid',
      '#1003': 'completed/partially_refunded',
      '#1002': 'completed/paid',
      '#1001': 'completed/paid',
    });
    const pending = await api('GET', '/v1/orders?status=pending');
    expect(pending.items.map((o: { externalId: string }) => o.externalId)).toEqual([
      '#1011',
      '#1010',
      '#1009',
    ]);
  });

  it('maps billing name (Japanese order), prefecture, postal code, note attributes and the LINE userId', async () => {
    const view = async (email: string) => api('GET', `/v1/customers/${await customerId(email)}`);
    const profile = (c: Record<string, unknown>) => [c.familyName, c.givenName, c.prefecture, c.postalCode];
    const hanako = await view('hanako@example.jp');
    // 山田　花子 (full-width space) of her newest order #1012, not 鈴木 花子 of her oldest, read last.
    expect(profile(hanako)).toEqual(['山田', '花子', '東京都', '150-0002']);
    expect(hanako.attributes).toEqual({ line_uid: LINE_UID, 来店きっかけ: 'Instagram' });
    expect(hanako.identities).toContainEqual({ kind: 'line', namespace: '', value: LINE_UID });
    expect(profile(await view('taro@example.jp'))).toEqual(['佐藤', '太郎', '神奈川県', '220-0012']);
    // Latin letters are read given name first.
    expect(profile(await view('misaki@example.jp'))).toEqual(['Tanaka', 'Misaki', '大阪府', '530-0001']);
    expect(profile(await view('ken@example.jp'))).toEqual(['鈴木', '健', '愛知県', '460-0008']);
    // One word is the family name; an empty Billing Province falls back to Billing Province Name.
    expect(profile(await view('yui@example.jp'))).toEqual(['伊藤', null, '宮城県', '980-0811']);
    // '0600001 (Shopify's leading apostrophe) and 北海道; the bad LINE userId stays an attribute only.
    const sho = await view('sho@example.jp');
    expect(profile(sho)).toEqual(['高橋', '翔', '北海道', '060-0001']);
    expect(sho.attributes).toEqual({ line_user_id: 'Uabc123', 紹介者: '山田花子' });
    expect(sho.identities.map((i: { kind: string }) => i.kind)).toEqual(['email']);
    expect(profile(await view('daisuke@example.jp'))).toEqual(['中村', null, null, null]);
    expect(profile(await view('yuko@example.jp'))).toEqual(['小林', '優子', '福岡県', '810-0001']);
  });

  it('records Accepts Marketing as email marketing consent from the import; "no" never takes back an opt-in', async () => {
    const history = async (email: string) =>
      (await api('GET', `/v1/customers/${await customerId(email)}/consents`)).items.map(
        (c: { channel: string; purpose: string; status: string; source: string; occurredAt: string }) =>
          `${c.channel}/${c.purpose} ${c.status} ${c.source} ${c.occurredAt}`,
      );
    // Dated at the customer's first order in the file (Shopify lists newest first); her other
    // orders repeat the state and record nothing.
    expect(await history('hanako@example.jp')).toEqual([
      'email/marketing granted shopify_import 2026-11-20T01:15:00.000Z',
    ]);
    expect(await history('misaki@example.jp')).toEqual([
      'email/marketing granted shopify_import 2026-11-15T03:00:00.000Z',
    ]);
    expect(await history('taro@example.jp')).toEqual([
      'email/marketing revoked shopify_import 2026-11-18T12:40:00.000Z',
    ]);
    // A voided order's customer still said yes.
    expect(await history('yui@example.jp')).toEqual([
      'email/marketing granted shopify_import 2026-10-19T23:00:00.000Z',
    ]);
    // Accepts Marketing empty: nothing said, nothing recorded.
    expect(await history('daisuke@example.jp')).toEqual([]);
    // yuko opted in on a web form; the import's "no" is not an opt-out.
    expect(await history('yuko@example.jp')).toEqual([
      'email/marketing granted web_form 2026-01-09T15:00:00.000Z',
    ]);
    // hanako opts out in Kizuna after her orders; the same export again records nothing and
    // leaves the opt-out standing (its "yes" dates from an order before it).
    const hanakoId = await customerId('hanako@example.jp');
    await api('POST', `/v1/customers/${hanakoId}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'revoked',
      source: 'unsubscribe_link',
      occurredAt: '2026-11-25T09:00:00+09:00',
    });
    for (let run = 0; run < 2; run++)
      expect(
        await importCsv(t.database, {
          kind: 'orders',
          file: FIXTURE,
          workspaceId: ws,
          publish: t.jobs!.publish,
        }),
      ).toMatchObject({ imported: true, created: 0, updated: 0, unchanged: 12 });
    expect(await history('hanako@example.jp')).toEqual([
      'email/marketing granted shopify_import 2026-11-20T01:15:00.000Z',
      'email/marketing revoked unsubscribe_link 2026-11-25T00:00:00.000Z',
    ]);
    const yuko = await api('GET', `/v1/customers/${await customerId('yuko@example.jp')}`);
    expect(yuko.consents).toEqual([
      {
        channel: 'email',
        purpose: 'marketing',
        status: 'granted',
        source: 'web_form',
        occurredAt: '2026-01-09T15:00:00.000Z',
      },
    ]);
  });

  it('registers each customer at their first order in the file, also one known before the import', async () => {
    const registered = async (email: string) =>
      (await api('GET', `/v1/customers/${await customerId(email)}`)).registeredAt;
    // hanako's orders come newest first in the file; #1001 (2026-07-14 16:30 JST) is her first.
    expect(await registered('hanako@example.jp')).toBe('2026-07-14T07:30:00.000Z');
    expect(await registered('taro@example.jp')).toBe('2026-09-01T10:20:00.000Z');
    expect(await registered('yuko@example.jp')).toBe('2026-08-20T04:00:00.000Z');
  });

  it('keeps unpaid orders out of LTV, points, stamps and segments', async () => {
    const hanako = await customerId('hanako@example.jp');
    const taro = await customerId('taro@example.jp');
    const misaki = await customerId('misaki@example.jp');
    const ken = await customerId('ken@example.jp');
    const yuko = await customerId('yuko@example.jp');
    // 1% points: hanako 37 + 25 + 18 (the refunded #1008 earns nothing); taro's paid #1004 only.
    await until(async () => (await points(hanako)) === 80 && (await points(taro)) === 24, 'points earned', {
      timeoutMs: 30_000,
    });
    // The same orders.changed job synced the unpaid orders: no points, no stamps.
    expect([await points(misaki), await points(ken)]).toEqual([0, 0]);
    expect([await orderStamps(taro), await orderStamps(misaki), await orderStamps(ken)]).toEqual([1, 0, 0]);
    const ltv = async (id: number) => {
      const l = await oneCustomerLtv(t.database.db, ws, id);
      return l ? [l.orders, l.historicalLtv] : null;
    };
    expect(await ltv(taro)).toEqual([1, 2400]);
    expect(await ltv(misaki)).toBeNull();
    expect(await ltv(ken)).toBeNull();
    // #1003 ¥4,900 less ¥1,000 refunded.
    expect(await ltv(yuko)).toEqual([1, 3900]);
    // Retention cohorts by first paid month: no 2026-11 cohort from misaki's and ken's unpaid orders.
    const { body } = await refreshView(t.database.db, ws, 'retention');
    const cohorts = (body as { cohorts: { cohort: string; customers: number }[] }).cohorts;
    expect(cohorts.map((c) => [c.cohort, c.customers])).toEqual([
      ['2026-07', 1],
      ['2026-08', 2],
      ['2026-09', 2],
    ]);
    // A spend tier basis (12 months) counts taro's paid ¥2,400, not the unpaid ¥4,200.
    const spendRules = { ...(await loadRules(t.database.db, ws)), tierBasis: 'spend' as const };
    const spend = await transact(t.database.db, (tx) =>
      spendBases(tx, ws, spendRules, new Date('2026-12-01T00:00:00+09:00'), [taro]),
    );
    expect(spend.get(taro)).toBe(2400);
    await until(async () => (await members(segments.buyers)).length === 5, 'buyers segment', {
      timeoutMs: 30_000,
    });
    const buyers = await members(segments.buyers);
    expect(buyers).toContain(taro);
    expect(buyers).not.toContain(misaki);
    expect(buyers).not.toContain(ken);
    expect(await members(segments.spent4000)).toEqual([hanako]);
  });

  it('a later export that says paid completes the order once: points, stats and segments follow', async () => {
    const taro = await customerId('taro@example.jp');
    // A later export holding #1011, now paid (Shopify exports the order's current state).
    const [header, ...rest] = readFileSync(FIXTURE, 'utf8').split('\n');
    const later = join(dir, 'later.csv');
    const lines = rest.filter((l) => l.startsWith('#1011,'));
    expect(lines).toHaveLength(1);
    writeFileSync(
      later,
      [header, lines[0]!.replace(',pending,,', ',paid,2026-11-20 12:00:00 +0900,')].join('\n'),
    );
    const summary = await importCsv(t.database, {
      kind: 'orders',
      file: later,
      workspaceId: ws,
      publish: t.jobs!.publish,
    });
    expect(summary).toMatchObject({ imported: true, created: 0, updated: 1, unchanged: 0 });

    const order = await api('GET', '/v1/orders?status=completed&limit=50');
    const paid = order.items.find((o: { externalId: string }) => o.externalId === '#1011');
    expect(paid).toMatchObject({ status: 'completed', financialStatus: 'paid', total: 4200 });
    const detail = await api('GET', `/v1/orders/${paid.id}`);
    expect(
      detail.history.map(
        (h: { kind: string; fromStatus: string | null; toStatus: string | null }) =>
          `${h.kind} ${h.fromStatus}→${h.toStatus}`,
      ),
    ).toEqual(['created null→pending', 'status_changed pending→completed']);
    // 24 + 42 (1% of ¥4,200), a second order stamp, ¥6,600 of LTV, and the ¥4,000 segment.
    await until(async () => (await points(taro)) === 66, 'points for the paid order', { timeoutMs: 30_000 });
    expect(await orderStamps(taro)).toBe(2);
    const ltv = await oneCustomerLtv(t.database.db, ws, taro);
    expect([ltv?.orders, ltv?.historicalLtv]).toEqual([2, 6600]);
    await until(
      async () => (await members(segments.spent4000)).includes(taro),
      'taro enters the ¥4,000 segment',
      {
        timeoutMs: 30_000,
      },
    );

    // The same export again changes nothing, and syncing the order again earns nothing more.
    const again = await importCsv(t.database, {
      kind: 'orders',
      file: later,
      workspaceId: ws,
      publish: t.jobs!.publish,
    });
    expect(again).toMatchObject({ imported: true, updated: 0, unchanged: 1 });
    const [sync] = await syncOrdersLoyalty(t.database.db, ws, [paid.id], { actor: 'test' });
    expect(sync?.earned).toBe(0);
    expect(await points(taro)).toBe(66);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from point_entry
      where workspace_id = ${ws} and order_id = ${paid.id} and kind = 'earn'`.execute(t.database.db);
    expect(rows[0]?.n).toBe(1);
  });
});

describe('Shopify billing fields', () => {
  it('reads every spelling of a prefecture, a postal code and a billing name', () => {
    const spellings = ['13', '１３', 'JP-13', 'jp13', 'Tokyo', 'tokyo-to', 'Tokyo To', '東京', '東京都'];
    expect(spellings.map(prefectureName)).toEqual(spellings.map(() => '東京都'));
    expect(['1', 'JP-01', 'Hokkaido', '北海道'].map(prefectureName)).toEqual(Array(4).fill('北海道'));
    expect(['JP-47', 'Okinawa', '沖縄'].map(prefectureName)).toEqual(Array(3).fill('沖縄県'));
    expect(['48', 'JP-00', 'California', ''].map(prefectureName)).toEqual(Array(4).fill(undefined));
    const codes = ['150-0002', '1500002', "'1500002", '〒150-0002', '１５０－０００２', '150 0002'];
    expect(codes.map(normalisePostalCode)).toEqual(codes.map(() => '150-0002'));
    expect(['150-002', '15000021', 'SW1A 1AA'].map(normalisePostalCode)).toEqual(Array(3).fill(undefined));
    expect(splitBillingName('山田 花子')).toEqual({ familyName: '山田', givenName: '花子' });
    expect(splitBillingName('山田\u3000花子')).toEqual({ familyName: '山田', givenName: '花子' });
    expect(splitBillingName('Hanako Yamada')).toEqual({ familyName: 'Yamada', givenName: 'Hanako' });
    expect(splitBillingName('Mary Ann Smith')).toEqual({ familyName: 'Smith', givenName: 'Mary Ann' });
    expect(splitBillingName('伊藤')).toEqual({ familyName: '伊藤' });
    expect(splitBillingName('  ')).toEqual({});
  });
});

describe('customers CSV postal_code', () => {
  it('normalises the postal code, and names the line and column of one that is not', async () => {
    const { workspaceId } = await newWorkspace(t.database);
    const file = join(dir, 'customers-postal.csv');
    writeFileSync(file, 'email,postal_code\npostal@example.jp,〒1500002\nbad@example.jp,150-002\n');
    const refused = await importCsv(t.database, { kind: 'customers', file, workspaceId });
    expect(refused.imported).toBe(false);
    expect(refused.problems.map(formatRowProblem)).toEqual([
      'line 3, column postal_code: not a Japanese postal code (7 digits): "150-002"',
    ]);
    writeFileSync(file, 'email,postal_code\npostal@example.jp,〒1500002\n');
    expect(await importCsv(t.database, { kind: 'customers', file, workspaceId })).toMatchObject({
      imported: true,
      created: 1,
    });
    const { rows } = await sql<{ postal_code: string | null }>`select postal_code from customer
      where workspace_id = ${workspaceId}`.execute(t.database.db);
    expect(rows).toEqual([{ postal_code: '150-0002' }]);
  });
});

describe('orders API with unpaid orders', () => {
  it('accepts pending with the financial status, filters by it, and records the move to completed', async () => {
    const order = {
      id: 'API-P1',
      customer: { email: 'furikomi@example.jp' },
      status: 'pending',
      financialStatus: 'awaiting_bank_transfer',
      orderedAt: '2026-11-30T10:00:00+09:00',
      total: 3000,
    };
    await api('POST', '/v1/orders', { orders: [order] });
    const pending = await api('GET', '/v1/orders?status=pending&limit=50');
    const stored = pending.items.find((o: { externalId: string }) => o.externalId === 'API-P1');
    expect(stored).toMatchObject({ status: 'pending', financialStatus: 'awaiting_bank_transfer' });
    const id = await customerId('furikomi@example.jp');
    expect(await oneCustomerLtv(t.database.db, ws, id)).toBeNull();
    await api('POST', '/v1/orders', { orders: [{ ...order, status: 'completed', financialStatus: 'paid' }] });
    const detail = await api('GET', `/v1/orders/${stored.id}`);
    expect(
      detail.history.map((h: { kind: string; toStatus: string | null }) => `${h.kind} ${h.toStatus}`),
    ).toEqual(['created pending', 'status_changed completed']);
    const ltv = await oneCustomerLtv(t.database.db, ws, id);
    expect([ltv?.orders, ltv?.historicalLtv]).toEqual([1, 3000]);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders: [{ ...order, id: 'API-P2', status: 'unpaid' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('status');
  });
});
