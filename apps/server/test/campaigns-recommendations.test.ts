import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendProducts } from '../src/recommendations/co-purchase.ts';
import { addCustomer, addOrder, addProduct } from './campaigns-fixture.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let ws: string;
const c: Record<string, number> = {};

// Co-purchases from seed A (counted per customer, "with or after"): c1 bought A+B together and
// C later (A→B, A→C); c2 bought A then C (A→C); c3 bought B before A (B→A, not A→B). So A→C = 2,
// A→B = 1. Buyers: A 4 (c1, c2, c3, t), E 3, B 2, C 2, D 1.
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.workspaceId;
  const db = t.database.db;
  await addProduct(db, ws, 'A', '深煎りブレンド豆', 1200, 'コーヒー豆');
  await addProduct(db, ws, 'B', 'ドリップケトル', 4800);
  await addProduct(db, ws, 'C', 'ペーパーフィルター', 300);
  await addProduct(db, ws, 'D', 'マグカップ', 1500);
  await addProduct(db, ws, 'E', 'チーズケーキ', 600);
  for (const k of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 't', 'none']) c[k] = await addCustomer(db, ws);
  await addOrder(db, ws, c.c1!, '2026-05-01T10:00:00+09:00', ['A', 'B']);
  await addOrder(db, ws, c.c1!, '2026-05-05T10:00:00+09:00', ['C']);
  await addOrder(db, ws, c.c2!, '2026-05-01T10:00:00+09:00', ['A']);
  await addOrder(db, ws, c.c2!, '2026-05-03T10:00:00+09:00', ['C']);
  await addOrder(db, ws, c.c3!, '2026-05-01T10:00:00+09:00', ['B']);
  await addOrder(db, ws, c.c3!, '2026-05-02T10:00:00+09:00', ['A']);
  await addOrder(db, ws, c.c4!, '2026-05-01T10:00:00+09:00', ['E']);
  await addOrder(db, ws, c.c5!, '2026-05-01T10:00:00+09:00', ['E']);
  await addOrder(db, ws, c.c6!, '2026-05-01T10:00:00+09:00', ['E', 'D']);
  await addOrder(db, ws, c.t!, '2026-05-01T10:00:00+09:00', ['A']);
  // Cancelled orders count for nothing: this would make D the most co-purchased item after A.
  for (const k of ['c4', 'c5', 'c6'])
    await addOrder(db, ws, c[k]!, '2026-05-01T10:00:00+09:00', ['A', 'D'], { status: 'cancelled' });
});
afterAll(async () => t?.close());

const brief = (r: { sku: string; score: number; source: string }[] | undefined) =>
  r?.map((x) => `${x.sku}:${x.source}:${x.score}`);

describe('recommendations (co-purchase with a popularity fallback)', () => {
  it('ranks co-purchases by their hand-counted scores, fills up with popular items, leaves out owned ones', async () => {
    const recs = await recommendProducts(t.database.db, ws, [c.t!, c.none!, c.c1!]);
    expect(brief(recs.get(c.t!))).toEqual(['C:co_purchase:2', 'B:co_purchase:1', 'E:popular:3']);
    // No orders: the most popular items; B and C tie on 2 buyers and sort by SKU.
    expect(brief(recs.get(c.none!))).toEqual(['A:popular:4', 'E:popular:3', 'B:popular:2']);
    // c1 owns A, B, C. From A: A→C 2 and A→B 1 are owned; from B: B→A (c3), B→C (c1) owned too.
    expect(brief(recs.get(c.c1!))).toEqual(['E:popular:3', 'D:popular:1']);
  });

  it('recommends a consumable again when its category keeps repurchases', async () => {
    const recs = await recommendProducts(t.database.db, ws, [c.t!], { repurchaseCategories: ['コーヒー豆'] });
    expect(brief(recs.get(c.t!))).toEqual(['C:co_purchase:2', 'B:co_purchase:1', 'A:popular:4']);
  });

  it('answers GET /v1/customers/:id/recommendations with names and prices, and 400 for another workspace’s id', async () => {
    const ok = await t.app.inject({ url: `/v1/customers/${c.t}/recommendations?limit=2`, headers: t.auth });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items).toEqual([
      {
        sku: 'C',
        name: 'ペーパーフィルター',
        productId: expect.any(Number),
        price: 300,
        score: 2,
        source: 'co_purchase',
      },
      {
        sku: 'B',
        name: 'ドリップケトル',
        productId: expect.any(Number),
        price: 4800,
        score: 1,
        source: 'co_purchase',
      },
    ]);
    const missing = await t.app.inject({ url: '/v1/customers/999999/recommendations', headers: t.auth });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('id: no customer 999999');
  });
});
