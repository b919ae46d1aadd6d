import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAmount, parseTimestamp } from '../src/csv-import/csv-values.ts';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { formatRowProblem } from '../src/csv-import/row-problem.ts';
import type { Database } from '../src/db/open-database.ts';
import { upsertStore } from '../src/stores/stores.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'csv');
const dir = mkdtempSync(join(tmpdir(), 'kizuna-csv-'));

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

async function workspace(): Promise<string> {
  const { workspaceId } = await newWorkspace(database);
  await upsertStore(database.db, workspaceId, { code: 'shibuya', name: '渋谷店' });
  return workspaceId;
}

interface OrderView {
  external_id: string;
  status: string;
  subtotal: number;
  discount: number;
  total: number;
  refunded_amount: number;
  ordered_at: Date;
  email: string | null;
  lines: string;
}

async function orders(workspaceId: string): Promise<Map<string, OrderView>> {
  const { rows } = await sql<OrderView>`
    select o.external_id, o.status, o.subtotal, o.discount, o.total, o.refunded_amount, o.ordered_at,
      (select value from customer_identity i where i.workspace_id = o.workspace_id
        and i.customer_id = o.customer_id and i.kind = 'email') as email,
      coalesce((select string_agg(coalesce(l.sku, '') || ' x' || l.quantity || ' @' || l.unit_price, ', ' order by l.line_no)
        from order_line l where l.workspace_id = o.workspace_id and l.order_id = o.id), '') as lines
    from customer_order o where o.workspace_id = ${workspaceId}`.execute(database.db);
  return new Map(rows.map((r) => [r.external_id, r]));
}

describe('orders CSV (Kizuna columns)', () => {
  it('groups consecutive rows into one order with its lines, and a re-import changes nothing', async () => {
    const workspaceId = await workspace();
    const file = join(FIXTURES, 'orders-kizuna.csv');
    const first = await importCsv(database, { kind: 'orders', file, workspaceId });
    expect(first).toMatchObject({
      format: 'kizuna',
      imported: true,
      rows: 4,
      created: 3,
      customersCreated: 3,
    });
    const stored = await orders(workspaceId);
    expect(stored.get('A-1001')).toMatchObject({ lines: 'LATTE x2 @600, CAKE x1 @600', total: 1800 });
    expect(stored.get('A-1001')!.ordered_at.toISOString()).toBe('2024-03-05T05:22:10.000Z');
    expect(stored.get('A-1002')).toMatchObject({ status: 'refunded', refunded_amount: 500 });
    expect(stored.get('A-1003')).toMatchObject({
      subtotal: 1200,
      discount: 200,
      total: 1000,
      refunded_amount: 300,
    });
    const again = await importCsv(database, { kind: 'orders', file, workspaceId });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, customersCreated: 0 });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from order_history
      where workspace_id = ${workspaceId}`.execute(database.db);
    expect(rows[0]!.n).toBe(3);
  });

  it('reports every bad row of every order with its own line, and imports nothing', async () => {
    const workspaceId = await workspace();
    const file = join(FIXTURES, 'orders-kizuna-bad.csv');
    const summary = await importCsv(database, { kind: 'orders', file, workspaceId });
    expect(summary.imported).toBe(false);
    expect(summary.problems.map(formatRowProblem)).toEqual([
      'line 3, column quantity: not a whole number of at least 1: "zero"',
      'line 4, column status: must be pending, completed, cancelled or refunded: "done"',
      'line 4, column ordered_at: not a real date and time: "2024-13-01"',
      'line 4, column customer_email: not an email address',
      'line 5, column store_code: no store with code "nowhere"',
      'line 6, column order_id: order "B-1" already appeared at line 2: the rows of one order must be consecutive',
    ]);
    expect((await orders(workspaceId)).size).toBe(0);
  });

  it('with skipInvalid rejects all rows of an order that has a bad row, and a refund that would shrink', async () => {
    const workspaceId = await workspace();
    const file = join(dir, 'skip.csv');
    const header =
      'order_id,customer_email,ordered_at,total,refunded_amount,sku,item_name,quantity,unit_price';
    writeFileSync(
      file,
      `${header}\nC-1,c@example.jp,2024-04-01,1000,500,X,X,1,1000\nC-2,c@example.jp,2024-04-01,900,,X,X,1,900\n`,
    );
    await importCsv(database, { kind: 'orders', file, workspaceId });
    writeFileSync(
      file,
      [
        header,
        'C-1,c@example.jp,2024-04-01,1000,100,X,X,1,1000',
        'C-3,d@example.jp,2024-04-02,1500,,A,A,1,500',
        'C-3,,,,,B,B,-1,1000',
        'C-4,e@example.jp,2024-04-03,700,,A,A,1,700',
      ].join('\n'),
    );
    const summary = await importCsv(database, { kind: 'orders', file, workspaceId, skipInvalid: true });
    expect(summary).toMatchObject({ imported: true, created: 1, rejectedRows: 3 });
    expect(summary.problems.map(formatRowProblem)).toEqual([
      'line 4, column quantity: not a whole number of at least 1: "-1"',
      'line 2, column refunded_amount: cannot decrease (already 500)',
    ]);
    const stored = await orders(workspaceId);
    expect([...stored.keys()].sort()).toEqual(['C-1', 'C-2', 'C-4']);
    expect(stored.get('C-1')!.refunded_amount).toBe(500);
    const rejects = readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n');
    expect(rejects.slice(1)).toEqual([
      'C-3,d@example.jp,2024-04-02,1500,,A,A,1,500,rejected with its order (see line 3)',
      'C-3,,,,,B,B,-1,1000,"quantity: not a whole number of at least 1: ""-1"""',
      'C-1,c@example.jp,2024-04-01,1000,100,X,X,1,1000,refunded_amount: cannot decrease (already 500)',
    ]);
  });
});

describe('orders CSV (Shopify export)', () => {
  it('is detected from the header; multi-item orders, refunds and cancellations map to Kizuna', async () => {
    const workspaceId = await workspace();
    const file = join(FIXTURES, 'shopify-orders.csv');
    const summary = await importCsv(database, { kind: 'orders', file, workspaceId });
    expect(summary).toMatchObject({ format: 'shopify', imported: true, rows: 5, created: 4 });
    const stored = await orders(workspaceId);
    expect(stored.get('#1001')).toMatchObject({
      status: 'completed',
      lines: 'DRIP-10 x2 @1000, MUG x1 @1000',
      subtotal: 3000,
      total: 3500,
      refunded_amount: 0,
      email: 'hanako@example.jp',
    });
    expect(stored.get('#1001')!.ordered_at.toISOString()).toBe('2024-03-05T05:22:10.000Z');
    expect(stored.get('#1002')).toMatchObject({ status: 'refunded', refunded_amount: 1200 });
    // Shopify's Subtotal is after discounts; Kizuna's before.
    expect(stored.get('#1003')).toMatchObject({
      status: 'completed',
      refunded_amount: 1000,
      subtotal: 3000,
      discount: 300,
    });
    expect(stored.get('#1004')).toMatchObject({ status: 'cancelled', email: null });
    const again = await importCsv(database, { kind: 'orders', file, workspaceId });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
  });

  it('reads amounts as integer minor units and Shopify times with their zone', () => {
    expect(parseAmount('1200.00', 'JPY')).toEqual({ ok: true, value: 1200 });
    expect(parseAmount('¥1,200', 'JPY')).toEqual({ ok: true, value: 1200 });
    expect(parseAmount('1200.50', 'JPY')).toMatchObject({ ok: false });
    expect(parseAmount('12.3', 'USD')).toEqual({ ok: true, value: 1230 });
    expect(parseTimestamp('2024-03-05 14:22:10 +0900')).toEqual({
      ok: true,
      value: '2024-03-05T14:22:10+09:00',
    });
    expect(parseTimestamp('2024/3/5 9:05')).toEqual({ ok: true, value: '2024-03-05T09:05:00+09:00' });
    expect(parseTimestamp('2024-02-30 10:00')).toMatchObject({ ok: false });
  });
});
