import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegment, listMembers, previewDefinition } from '../src/segments/segment-store.ts';
import { TEMPLATES } from '../src/segments/templates.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { buildFixture, EXPECTED, keysOf, NOW } from './segments-fixture.ts';

let t: TestApp;
let ids: Map<string, number>;
beforeAll(async () => {
  t = await createTestApp();
  ids = await buildFixture(t.database, t.workspace.workspaceId);
  // A second workspace with the same customers must never leak into the first one's segments.
  const other = await newWorkspace(t.database, '他店');
  await buildFixture(t.database, other.workspaceId);
});
afterAll(async () => t?.close());

describe('templates on hand-built customers', () => {
  it('covers every template with an expectation', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(TEMPLATES.map((x) => x.key).sort());
  });
  for (const template of TEMPLATES) {
    it(`${template.key}: materialised members and preview match the known membership`, async () => {
      const ws = t.workspace.workspaceId;
      const segment = await createSegment(t.database.db, ws, { template: template.key }, { now: NOW });
      expect(segment.name).toBe(template.name.ja);
      const members = await listMembers(t.database.db, ws, segment.id, { limit: 100 });
      expect(
        keysOf(
          ids,
          members.items.map((m) => m.customerId),
        ),
      ).toEqual(EXPECTED[template.key]);
      expect(segment.memberCount).toBe(EXPECTED[template.key]?.length);
      const preview = await previewDefinition(t.database.db, ws, template.definition, { now: NOW });
      expect(preview.count).toBe(EXPECTED[template.key]?.length);
    });
  }
});

describe('conditions', () => {
  const cases: [string, unknown, string[]][] = [
    ['tag', { tag: 'vip_candidate' }, ['C']],
    ['has email', { identity: 'email' }, ['C']],
    ['consent blocked', { consent: { channel: 'line', purpose: 'marketing', status: 'blocked' } }, ['D']],
    ['attribute text', { attribute: 'rank', op: 'in', value: ['gold', 'silver'] }, ['E', 'G']],
    ['attribute number', { attribute: 'points', op: 'gte', value: 1000 }, ['E']],
    ['attribute missing', { attribute: 'rank', op: 'not_exists' }, ['A', 'B', 'C', 'D', 'H', 'I', 'J']],
    ['profile birthday month', { birthday: { month: 5 } }, ['B']],
    [
      'not',
      { not: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 1 } },
      ['C', 'D', 'H', 'J'],
    ],
    [
      'revenue in a window (refunds and cancellations excluded)',
      { aggregate: { of: 'orders', measure: 'sum', window: { days: 30 } }, op: 'gte', value: 9000 },
      ['G'],
    ],
    [
      'days since last order',
      { aggregate: { of: 'orders', measure: 'days_since_last' }, op: 'gte', value: 179 },
      ['B', 'I'],
    ],
    ['prediction', { prediction: 'expected_purchases_90d', op: 'gt', value: 0.2 }, ['B', 'E', 'G']],
  ];
  for (const [name, definition, expected] of cases) {
    it(`${name}`, async () => {
      const ws = t.workspace.workspaceId;
      const segment = await createSegment(t.database.db, ws, { name, definition }, { now: NOW });
      const members = await listMembers(t.database.db, ws, segment.id, { limit: 100 });
      expect(
        keysOf(
          ids,
          members.items.map((m) => m.customerId),
        ),
      ).toEqual(expected);
    });
  }
});

describe('definition validation', () => {
  it('names every offending path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/segments/preview',
      headers: t.auth,
      payload: {
        definition: {
          and: [
            { tag: 'x' },
            { birthday: { month: 13 } },
            { aggregate: { of: 'events', measure: 'sum', window: { days: 0 } }, op: 'gte', value: 'many' },
            { or: [] },
            { nonsense: 1 },
          ],
        },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems).toEqual([
      { path: 'definition.and[1].birthday', message: 'must be "this_month" or { "month": 1-12 }' },
      {
        path: 'definition.and[2].aggregate.measure',
        message: 'sum is only defined for orders (revenue) and visits (spend)',
      },
      {
        path: 'definition.and[2].aggregate.window.days',
        message: 'must be a positive integer (at most 3660)',
      },
      { path: 'definition.and[2].value', message: 'must be a number' },
      { path: 'definition.and[3].or', message: 'must be a non-empty array' },
      {
        path: 'definition.and[4]',
        message: expect.stringContaining('must have one of and, or, not, profile'),
      },
    ]);
  });
});
