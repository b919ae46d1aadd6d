// Issue #19, item 10 (loyalty): minting a membership card needs the `till` scope; coupon-template
// ids named by the rules and by stamp cards must exist in the workspace (a 400 naming the field,
// nothing saved); the ledger of a customer the workspace does not have is a 404.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { newCustomer } from './loyalty-helpers.ts';

let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.workspaceId;
});
afterAll(async () => t?.close());

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, headers = t.auth) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

async function keyWith(scopes: ('read' | 'till' | 'admin')[]) {
  const key = await createApiKey(t.database.db, { workspaceId: ws, name: scopes.join('+'), scopes });
  return { authorization: `Bearer ${key.token}` };
}

async function couponTemplate(headers = t.auth) {
  const res = await api(
    'POST',
    '/v1/loyalty/coupon-templates',
    { name: '500円引き', kind: 'amount_off', value: 500 },
    headers,
  );
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
}

describe('membership card', () => {
  it('needs the till scope: a read-only key is refused, a till key gets a payload', async () => {
    const c = await newCustomer(t.database, ws);
    const viewer = await api('POST', `/v1/loyalty/members/${c}/card`, undefined, await keyWith(['read']));
    expect(viewer.statusCode).toBe(403);
    const till = await api(
      'POST',
      `/v1/loyalty/members/${c}/card`,
      undefined,
      await keyWith(['read', 'till']),
    );
    expect(till.statusCode).toBe(200);
    expect(till.json().payload).toMatch(/^KZM1\.\d{12}\.\d+\./);
  });

  it('is a 404 for a customer the workspace does not have', async () => {
    const res = await api('POST', '/v1/loyalty/members/987654321/card');
    expect(res.statusCode).toBe(404);
  });
});

describe('coupon-template ids in rules and stamp cards', () => {
  it('refuses rules naming a template that does not exist, or is another workspace’s, and keeps the old rules', async () => {
    const own = await couponTemplate();
    const other = await newWorkspace(t.database, '別の店');
    const foreign = await api(
      'POST',
      '/v1/loyalty/coupon-templates',
      { name: '他店クーポン', kind: 'amount_off', value: 100 },
      { authorization: `Bearer ${other.apiKey}` },
    );
    const foreignId = foreign.json().id as number;
    const saved = await api('PUT', '/v1/loyalty/rules', { pointsPerYen: 0.02 });
    expect(saved.statusCode).toBe(200);
    const res = await api('PUT', '/v1/loyalty/rules', {
      pointsPerYen: 0.05,
      tiers: [
        { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1, couponTemplateId: own },
        { code: 'gold', name: 'ゴールド', threshold: 100000, multiplier: 2, couponTemplateId: foreignId },
      ],
      statusGrants: [{ trigger: 'birthday', couponTemplateId: 999999 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'rules.tiers[1].couponTemplateId',
      'rules.statusGrants[0].couponTemplateId',
    ]);
    expect((await api('GET', '/v1/loyalty/rules')).json().pointsPerYen).toBe(0.02);
  });

  it('saves rules whose templates all exist', async () => {
    const perk = await couponTemplate();
    const res = await api('PUT', '/v1/loyalty/rules', {
      tiers: [{ code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1, couponTemplateId: perk }],
      statusGrants: [{ trigger: 'anniversary', couponTemplateId: perk }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().statusGrants).toEqual([{ trigger: 'anniversary', couponTemplateId: perk }]);
  });

  it('refuses a stamp card whose reward names an unknown template, and creates no card', async () => {
    const reward = await couponTemplate();
    const before = await stampCardCount();
    const res = await api('POST', '/v1/loyalty/stamp-cards', {
      name: '10個でドリンク1杯',
      stampsRequired: 10,
      rewards: [
        { at: 5, couponTemplateId: reward },
        { at: 10, couponTemplateId: 424242 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems).toEqual([
      {
        path: 'rewards[1].couponTemplateId',
        message: 'coupon template 424242 does not exist in this workspace',
      },
    ]);
    expect(await stampCardCount()).toBe(before);
    const ok = await api('POST', '/v1/loyalty/stamp-cards', {
      name: '10個でドリンク1杯',
      stampsRequired: 10,
      rewards: [{ at: 10, couponTemplateId: reward }],
    });
    expect(ok.statusCode).toBe(201);
    expect(await stampCardCount()).toBe(before + 1);
  });
});

async function stampCardCount() {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from stamp_card_template
    where workspace_id = ${ws}`.execute(t.database.db);
  return rows[0]!.n;
}

describe('ledger', () => {
  it('is a 404 for an unknown customer and for another workspace’s customer', async () => {
    expect((await api('GET', '/v1/loyalty/members/987654321/ledger')).statusCode).toBe(404);
    const other = await newWorkspace(t.database, '隣の店');
    const theirs = await newCustomer(t.database, other.workspaceId);
    const res = await api('GET', `/v1/loyalty/members/${theirs}/ledger`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('is empty, not a 404, for a customer of the workspace who has no points yet', async () => {
    const c = await newCustomer(t.database, ws);
    const res = await api('GET', `/v1/loyalty/members/${c}/ledger`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ customerId: c, mergedInto: null, entries: [], lots: [] });
  });
});
