// Concurrency on PostgreSQL: the embedded PGlite has a single connection, so "parallel" there is
// serial and proves nothing; these tests run only when KIZUNA_TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCoupon, redeemCoupon } from '../src/loyalty/coupons.ts';
import { adjustPoints, earnPoints, redeemPoints } from '../src/loyalty/points-ledger.ts';
import { tillTransaction } from '../src/loyalty/till.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { createTestApp, TEST_DATABASE_URL, type TestApp } from './helpers.ts';
import { customerWithCoupon, expectLedgerConsistent, newCustomer } from './loyalty-helpers.ts';

describe.runIf(TEST_DATABASE_URL)(
  'loyalty under concurrency (PostgreSQL only: PGlite has one connection)',
  () => {
    let t: TestApp;
    let ws: string;
    beforeAll(async () => {
      t = await createTestApp();
      ws = t.workspace.workspaceId;
    });
    afterAll(async () => t?.close());

    it('100 parallel redemptions of one coupon code: exactly 1 succeeds', async () => {
      const { coupon } = await customerWithCoupon(t, ws);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          redeemCoupon(t.database.db, ws, { code: coupon.code, actor: `till-${i}`, orderTotal: 3000 }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(String(r.reason)).toMatch(/already been used/);
    });

    it('100 parallel point redemptions against one balance never overdraw it', async () => {
      const c = await newCustomer(t.database, ws);
      await adjustPoints(t.database.db, ws, {
        customerId: c,
        points: 1000,
        reason: 'test',
        staff: 'test',
        actor: 'test',
        validityMonths: 12,
      });
      // 100 × 30 points asked against 1,000: exactly 33 can succeed.
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          redeemPoints(t.database.db, ws, {
            customerId: c,
            points: 30,
            actor: 'test',
            idempotencyKey: `p-${i}`,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(33);
      for (const r of results)
        if (r.status === 'rejected') expect(String(r.reason)).toMatch(/not enough points/);
      const summary = await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${c}`, headers: t.auth });
      expect(summary.json().points).toBe(10);
      await expectLedgerConsistent(t.database, ws);
    });

    it('50 earns and 50 redemptions interleaved on one member lose no points', async () => {
      const c = await newCustomer(t.database, ws);
      const ops = Array.from({ length: 100 }, (_, i) =>
        i % 2
          ? redeemPoints(t.database.db, ws, {
              customerId: c,
              points: 7,
              actor: 'test',
              idempotencyKey: `mix-r-${i}`,
            })
          : earnPoints(t.database.db, ws, {
              customerId: c,
              points: 5,
              actor: 'test',
              idempotencyKey: `mix-e-${i}`,
              validityMonths: 12,
            }),
      );
      const results = await Promise.allSettled(ops);
      const redeemed = results.filter((r, i) => i % 2 && r.status === 'fulfilled').length;
      expect(results.filter((r, i) => i % 2 === 0 && r.status === 'fulfilled')).toHaveLength(50);
      const summary = await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${c}`, headers: t.auth });
      expect(summary.json().points).toBe(50 * 5 - redeemed * 7);
      await expectLedgerConsistent(t.database, ws);
    });

    it('a coupon with a total limit of 10 granted to 50 customers at once is issued exactly 10 times', async () => {
      const template = await t.app.inject({
        method: 'POST',
        url: '/v1/loyalty/coupon-templates',
        headers: t.auth,
        payload: { name: '先着10名', kind: 'amount_off', value: 1000, totalLimit: 10 },
      });
      const customers = await Promise.all(Array.from({ length: 50 }, () => newCustomer(t.database, ws)));
      const results = await Promise.allSettled(
        customers.map((customerId) =>
          grantCoupon(t.database.db, ws, {
            templateId: template.json().id,
            customerId,
            source: 'test',
            actor: 'test',
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/total limit/);
    });

    it('the same till call sent 20 times at once applies once', async () => {
      const c = await newCustomer(t.database, ws);
      await adjustPoints(t.database.db, ws, {
        customerId: c,
        points: 100,
        reason: 'test',
        staff: 'test',
        actor: 'test',
        validityMonths: 12,
      });
      const secrets = createSecretBox(Buffer.alloc(32, 1));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          tillTransaction(
            t.database.db,
            ws,
            { idempotencyKey: 'same', customerId: c, redeemPoints: 60 },
            { actor: 'till', secrets },
          ),
        ),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const fresh = results.filter((r) => r.status === 'fulfilled' && !r.value.replayed);
      expect(fresh).toHaveLength(1);
      const summary = await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${c}`, headers: t.auth });
      expect(summary.json().points).toBe(40);
      await expectLedgerConsistent(t.database, ws);
    });
  },
);
