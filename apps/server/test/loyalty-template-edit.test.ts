// Editing coupon templates and stamp cards: what may change once they are in use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  return t.app.inject({
    method,
    url,
    headers: t.auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function newCustomer(): Promise<number> {
  const res = await api('POST', '/v1/customers', { customers: [{ email: `tpl${++n}@example.jp` }] });
  return res.json().accepted[0].id;
}

async function newCoupon() {
  const res = await api('POST', '/v1/loyalty/coupon-templates', {
    name: '500円引き',
    kind: 'amount_off',
    value: 500,
    minSpend: 2000,
    validDays: 30,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number };
}

describe('PATCH /v1/loyalty/coupon-templates/:id', () => {
  it('changes anything while no coupon was issued', async () => {
    const { id } = await newCoupon();
    const res = await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, {
      name: '10%オフ',
      kind: 'percent_off',
      value: 10,
      minSpend: 0,
      validDays: null,
      validUntil: '2027-03-31T23:59:59+09:00',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: '10%オフ',
      kind: 'percent_off',
      value: 10,
      minSpend: 0,
      validDays: null,
    });
    expect(res.json().validUntil).toBe('2027-03-31T14:59:59.000Z');
  });

  it('after a grant: the name, validity, limits and active flag change; the discount is fixed', async () => {
    const { id } = await newCoupon();
    const customer = await newCustomer();
    const granted = await api('POST', `/v1/loyalty/coupon-templates/${id}/grants`, { customerId: customer });
    expect(granted.statusCode).toBe(200);
    const code = granted.json().code;

    const locked = await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, {
      value: 1000,
      minSpend: 2000,
      name: 'x',
    });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().error.reason).toBe('coupon_terms_locked');
    // minSpend was sent unchanged, so only value is named.
    expect(locked.json().error.problems.map((p: { path: string }) => p.path)).toEqual(['value']);

    const edited = await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, {
      name: '500円引き（冬）',
      description: '冬の感謝クーポン',
      value: 500,
      validDays: 14,
      totalLimit: 100,
      active: false,
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      name: '500円引き（冬）',
      value: 500,
      validDays: 14,
      totalLimit: 100,
      active: false,
    });
    // The coupon already held keeps its discount and shows the new name.
    const coupon = (await api('GET', `/v1/loyalty/coupons/${code}`)).json();
    expect(coupon).toMatchObject({ name: '500円引き（冬）', value: 500, status: 'active' });
    // The new validity applies to the next grant; the coupon already held keeps its own.
    const held = (await api('GET', `/v1/loyalty/coupons/${code}`)).json();
    await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, { active: true });
    const later = await api('POST', `/v1/loyalty/coupon-templates/${id}/grants`, {
      customerId: await newCustomer(),
    });
    expect(later.statusCode).toBe(200);
    const days = (c: { validFrom: string; validUntil: string }) =>
      Math.round((Date.parse(c.validUntil) - Date.parse(c.validFrom)) / 86_400_000);
    expect(days(held)).toBe(30);
    expect(days(later.json())).toBe(14);
    await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, { active: false });
    // Inactive: no more grants.
    const refused = await api('POST', `/v1/loyalty/coupon-templates/${id}/grants`, { customerId: customer });
    expect(refused.statusCode).toBe(409);

    const tooLow = await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, { totalLimit: 1 });
    expect(tooLow.statusCode).toBe(400);
    expect(tooLow.json().error.problems).toEqual([
      { path: 'totalLimit', message: 'must be at least 2 (already issued)' },
    ]);
    const below = await api('PATCH', `/v1/loyalty/coupon-templates/${id}`, {
      validFrom: '2027-01-02T00:00:00+09:00',
      validUntil: '2027-01-01T00:00:00+09:00',
    });
    expect(below.statusCode).toBe(400);
    expect(below.json().error.problems[0].path).toBe('validUntil');
  });

  it('answers 404 for a template that does not exist', async () => {
    expect((await api('PATCH', '/v1/loyalty/coupon-templates/99999999', { name: 'x' })).statusCode).toBe(404);
  });
});

describe('PATCH /v1/loyalty/stamp-cards/:id', () => {
  it('changes the goal and rewards until a customer starts a card, the name and limits always', async () => {
    const reward = await newCoupon();
    const created = await api('POST', '/v1/loyalty/stamp-cards', {
      name: 'コーヒーカード',
      stampsRequired: 10,
      rewards: [{ at: 10, couponTemplateId: reward.id }],
    });
    const card = created.json();
    const before = await api('PATCH', `/v1/loyalty/stamp-cards/${card.id}`, {
      stampsRequired: 8,
      rewards: [{ at: 8, couponTemplateId: reward.id }],
    });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({
      stampsRequired: 8,
      rewards: [{ at: 8, couponTemplateId: reward.id }],
    });
    const badReward = await api('PATCH', `/v1/loyalty/stamp-cards/${card.id}`, {
      rewards: [{ at: 9, couponTemplateId: reward.id }],
    });
    expect(badReward.statusCode).toBe(400);
    expect(badReward.json().error.problems[0].path).toBe('rewards[0].at');

    const customer = await newCustomer();
    const stamped = await api('POST', `/v1/loyalty/members/${customer}/stamps`, {
      templateId: card.id,
      idempotencyKey: `s${n}`,
    });
    expect(stamped.statusCode).toBe(200);
    const locked = await api('PATCH', `/v1/loyalty/stamp-cards/${card.id}`, { stampsRequired: 5, name: 'x' });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().error).toMatchObject({
      reason: 'stamp_card_terms_locked',
      problems: [{ path: 'stampsRequired' }],
    });
    const renamed = await api('PATCH', `/v1/loyalty/stamp-cards/${card.id}`, {
      name: 'コーヒーカード（新）',
      stampsRequired: 8,
      rewards: [{ couponTemplateId: reward.id, at: 8 }],
      maxPerDay: 2,
      active: false,
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'コーヒーカード（新）',
      stampsRequired: 8,
      maxPerDay: 2,
      active: false,
    });
  });
});
