// A running Kizuna for the browser tests: the real server on a random local port, on a test
// database, with an agency user who works for two brands (owner of one, marketer of the other).
import type { AddressInfo } from 'node:net';
import { invite, loginBrowser } from '../../server/test/auth-helpers.ts';
import { createTestApp, newWorkspace, type TestApp } from '../../server/test/helpers.ts';

export interface Seeded {
  t: TestApp;
  url: string;
  email: string;
  password: string;
  cafe: { workspaceId: string; name: string; customers: number };
  bakery: { workspaceId: string; name: string; customers: number };
}

type Inject = (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) => Promise<unknown>;

const DAY = 86_400_000;

const CAFE_PEOPLE = [
  ['山田', '花子', 'ヤマダ', 'ハナコ'],
  ['佐藤', '健太', 'サトウ', 'ケンタ'],
  ['鈴木', '美咲', 'スズキ', 'ミサキ'],
  ['高橋', '大輔', 'タカハシ', 'ダイスケ'],
  ['田中', '結衣', 'タナカ', 'ユイ'],
  ['伊藤', '翔', 'イトウ', 'ショウ'],
  ['渡辺', '陽菜', 'ワタナベ', 'ヒナ'],
  ['中村', '蓮', 'ナカムラ', 'レン'],
] as const;

/** More than one page of the customer list (50 a page), to page through with the API's cursors. */
const BAKERY_PEOPLE = Array.from(
  { length: 56 },
  (_, i) => ['小林', `愛${i + 1}`, 'コバヤシ', 'アイ'] as const,
);

/** Customers with orders over the last year: every other one comes back, so there are repeaters. */
async function seedBrand(
  inject: Inject,
  auth: Record<string, string>,
  people: readonly (readonly string[])[],
  tag: string,
) {
  const customers = people.map(([familyName, givenName, familyNameKana, givenNameKana], i) => ({
    email: `${tag}${i}@example.jp`,
    familyName,
    givenName,
    familyNameKana,
    givenNameKana,
    phone: `090-1234-${String(5600 + i)}`,
  }));
  await inject('POST', '/v1/customers', auth, { customers });
  // Test data only: dated from the wall clock so the analytics (which read the server's clock) see recent orders.
  const now = Date.now();
  const orders = customers.flatMap((c, i) =>
    Array.from({ length: i % 2 === 0 ? 3 : 1 }, (_, k) => ({
      id: `${tag}-${i}-${k}`,
      customer: { email: c.email },
      orderedAt: new Date(now - (300 - (i % 12) * 20 - k * 60) * DAY).toISOString(),
      total: 1200 + i * 350 + k * 100,
    })),
  );
  await inject('POST', '/v1/orders', auth, { orders });
  await inject('POST', '/v1/segments', auth, {
    name: tag === 'cafe' ? 'リピーター' : '購入者',
    definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: tag === 'cafe' ? 2 : 1 },
  });
  if (tag === 'cafe') {
    await inject('POST', '/v1/loyalty/coupon-templates', auth, {
      name: '次回使える200円引き',
      kind: 'amount_off',
      value: 200,
      minSpend: 1000,
    });
    await inject('POST', '/v1/loyalty/stamp-cards', auth, {
      name: 'コーヒースタンプカード',
      stampsRequired: 10,
      stampPer: 'order',
      minOrderTotal: 0,
    });
  }
  await inject('POST', '/v1/analytics/refresh', auth);
}

export async function startSeededKizuna(): Promise<Seeded> {
  const t = await createTestApp();
  const inject: Inject = async (method, url, headers, payload) => {
    const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const cafe = t.workspace;
  const bakery = await newWorkspace(t.database, '絆ベーカリー');
  // The cafe's owner is also the bakery's marketer (an agency's account manager).
  const token = await invite(
    t.app,
    { authorization: `Bearer ${bakery.apiKey}` },
    cafe.ownerEmail,
    'marketer',
  );
  const owner = await loginBrowser(t.app, cafe.ownerEmail, cafe.ownerPassword!);
  await inject('POST', '/v1/invitations/accept', owner.headers(), { token });
  await seedBrand(inject, { authorization: `Bearer ${cafe.apiKey}` }, CAFE_PEOPLE, 'cafe');
  await seedBrand(inject, { authorization: `Bearer ${bakery.apiKey}` }, BAKERY_PEOPLE, 'bakery');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    email: cafe.ownerEmail,
    password: cafe.ownerPassword!,
    cafe: { workspaceId: cafe.workspaceId, name: 'テスト店', customers: CAFE_PEOPLE.length },
    bakery: { workspaceId: bakery.workspaceId, name: '絆ベーカリー', customers: BAKERY_PEOPLE.length },
  };
}
