// bench/jobs: the shop and the stream of ingest batches it receives. Every batch is a pure
// function of its number, so a later batch can re-send an earlier order (as cancelled) exactly.

/** Segments that read orders (whole life, a 30-day window), events of two types, and identities. */
export const SEGMENTS = [
  { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 3 },
  { aggregate: { of: 'orders', measure: 'sum', window: { days: 30 } }, op: 'gte', value: 30000 },
  {
    aggregate: { of: 'events', type: 'page_view', measure: 'count', window: { days: 7 } },
    op: 'gte',
    value: 5,
  },
  { and: [{ identity: 'line' }, { aggregate: { of: 'orders', measure: 'count' }, op: 'eq', value: 0 }] },
  { aggregate: { of: 'events', type: 'reservation', measure: 'count' }, op: 'gte', value: 1 },
];

/** One tier, so every order earns floor(total / 100) points whatever order the jobs run in. */
export const RULES = { tiers: [{ code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 }] };

export interface WorkloadOptions {
  customers: number;
  ordersPerBatch: number;
  eventsPerBatch: number;
}

/** An order batch re-sends, as cancelled, one order of the batch this many batches back. */
const CANCEL_LAG = 200;
const DAY_MS = 86_400_000;

/** A deterministic 0 ≤ x < 1 for (batch, item, salt): a hash, not a stateful generator. */
function unit(b: number, k: number, salt: number): number {
  let h = Math.imul(b ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35) ^ Math.imul(salt, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 2 ** 32;
}

/**
 * Customer n of the pool. Regulars come back: squaring the draw makes the low numbers far more
 * frequent, as a shop's best customers are. The first half also carry a LINE userId.
 */
function customerRef(draw: number, pool: number) {
  const n = Math.floor(draw * draw * pool);
  const email = `c${n}@example.jp`;
  return n < pool / 2 ? { email, lineUserId: `U${(n + 1).toString(16).padStart(32, '0')}` } : { email };
}

function order(b: number, k: number, options: WorkloadOptions, now: number) {
  const total = 500 + Math.floor(unit(b, k, 1) * 60) * 500;
  return {
    id: `O-${b}-${k}`,
    customer: customerRef(unit(b, k, 2), options.customers),
    orderedAt: new Date(now - Math.floor(unit(b, k, 3) * 60) * DAY_MS).toISOString(),
    total,
    lines: [{ sku: `SKU-${Math.floor(unit(b, k, 4) * 40)}`, name: '商品', quantity: 1, unitPrice: total }],
  };
}

/** Even batches carry orders, odd ones events; `now` anchors the dates (orders within 60 days). */
export function batchBody(b: number, options: WorkloadOptions, now: number): { url: string; body: string } {
  if (b % 2 === 0) {
    const orders: object[] = Array.from({ length: options.ordersPerBatch }, (_, k) =>
      order(b, k, options, now),
    );
    // Every fifth order batch cancels an order sent long enough before that it was surely stored.
    if (b % 10 === 0 && b >= CANCEL_LAG * 2)
      orders.push({ ...order(b - CANCEL_LAG * 2, 0, options, now), status: 'cancelled' });
    return { url: '/v1/orders', body: JSON.stringify({ orders }) };
  }
  const events = Array.from({ length: options.eventsPerBatch }, (_, k) => {
    const r = unit(b, k, 5);
    return {
      id: `E-${b}-${k}`,
      type: r < 0.05 ? 'reservation' : r < 0.2 ? 'message_open' : 'page_view',
      occurredAt: new Date(now - Math.floor(unit(b, k, 6) * 10) * DAY_MS).toISOString(),
      customer: customerRef(unit(b, k, 7), options.customers),
      properties: { path: `/menu/${Math.floor(unit(b, k, 8) * 50)}` },
    };
  });
  return { url: '/v1/events', body: JSON.stringify({ events }) };
}
