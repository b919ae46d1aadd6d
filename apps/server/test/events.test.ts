import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const post = (events: unknown[]) =>
  t.app.inject({ method: 'POST', url: '/v1/events', headers: t.auth, payload: { events } });

describe('events', () => {
  it('stores a batch of 1,000 events for 100 customers, creating customers from identities', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      id: `ev-${i}`,
      type: i % 2 ? 'page_view' : 'custom:coupon_view',
      occurredAt: new Date(Date.UTC(2026, 3, 1, 0, i)).toISOString(),
      customer: { lineUserId: lineUserId(1000 + (i % 100)) },
      properties: { path: `/menu/${i}` },
    }));
    const res = await post(events);
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted.filter((a: { outcome: string }) => a.outcome === 'stored')).toHaveLength(1000);
    const counts = await t.database.db
      .selectFrom('event')
      .select(({ fn }) => [
        fn.countAll<number>().as('events'),
        fn.count<number>('customer_id').distinct().as('customers'),
      ])
      .where('workspace_id', '=', t.workspace.workspaceId)
      .executeTakeFirstOrThrow();
    expect({ events: Number(counts.events), customers: Number(counts.customers) }).toEqual({
      events: 1000,
      customers: 100,
    });
  });

  it('stores each event once when a batch is retried or repeats an id', async () => {
    const batch = [
      {
        id: 'ev-0',
        type: 'login',
        occurredAt: '2026-04-02T09:00:00+09:00',
        customer: { lineUserId: lineUserId(1000) },
      },
      {
        id: 'new-1',
        type: 'login',
        occurredAt: '2026-04-02T09:00:00+09:00',
        customer: { lineUserId: lineUserId(1000) },
      },
      {
        id: 'new-1',
        type: 'login',
        occurredAt: '2026-04-02T09:00:00+09:00',
        customer: { lineUserId: lineUserId(1000) },
      },
    ];
    const first = (await post(batch)).json().accepted.map((a: { outcome: string }) => a.outcome);
    expect(first).toEqual(['duplicate', 'stored', 'duplicate']);
    const second = (await post(batch)).json().accepted.map((a: { outcome: string }) => a.outcome);
    expect(second).toEqual(['duplicate', 'duplicate', 'duplicate']);
  });

  it('names the bad field of each bad event and stores none of the batch', async () => {
    const res = await post([
      { type: 'login', occurredAt: '2026-04-02T09:00:00+09:00', customer: { email: 'ok@example.jp' } },
      { type: 'login', occurredAt: '2026-04-02T09:00:00+09:00', customer: { email: 'ok@example.jp' } },
      { type: 'login', occurredAt: '2026-04-02T09:00:00+09:00', customer: { email: 'ok@example.jp' } },
      { type: 'login', occurredAt: '2026/04/02 9:00', customer: { email: 'ok@example.jp' } },
      { type: 'purchase', occurredAt: '2026-04-02T09:00:00+09:00', customer: {} },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('events[3].occurredAt: not an ISO-8601 timestamp');
    const paths = res.json().error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(['events[3].occurredAt', 'events[4].type']);
    const stored = await t.database.db
      .selectFrom('customer_identity')
      .select('value')
      .where('value', '=', 'ok@example.jp')
      .execute();
    expect(stored).toEqual([]);
  });

  it('rejects an event whose customer reference is empty, after the schema passes', async () => {
    const res = await post([{ type: 'inquiry', occurredAt: '2026-04-02T09:00:00+09:00', customer: {} }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems).toEqual([
      {
        index: 0,
        path: 'events[0].customer',
        message: 'needs id or at least one identity: lineUserId, email, phone or external',
      },
    ]);
  });
});
