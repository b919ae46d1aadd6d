import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCustomers } from '../src/customers/merge-customers.ts';
import { addCustomer } from './campaigns-fixture.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function campaign(ws: string, name: string): Promise<number> {
  const { rows } = await sql<{
    id: number;
  }>`insert into campaign (workspace_id, name, channel_id, customer_ids, link_base, created_at, updated_at)
    values (${ws}, ${name}, 'c', '{}', 'https://kizuna.example.jp', now(), now()) returning id`.execute(
    t.database.db,
  );
  return Number(rows[0]!.id);
}

describe('campaign recipients in a customer merge', () => {
  it("keeps the survivor's own assignment and moves the merged records' other campaigns to it", async () => {
    const ws = t.workspace.workspaceId;
    const db = t.database.db;
    const [survivor, a, b] = [
      await addCustomer(db, ws),
      await addCustomer(db, ws),
      await addCustomer(db, ws),
    ];
    const [c1, c2] = [await campaign(ws, '一'), await campaign(ws, '二')];
    // c1: all three (survivor held out, the others messaged); c2: both merged records only.
    await sql`insert into campaign_recipient (workspace_id, campaign_id, customer_id, bucket, variant_key, decision) values
      (${ws}, ${c1}, ${survivor}, 10, null, 'holdout'), (${ws}, ${c1}, ${a}, 9000, 'A', 'send'), (${ws}, ${c1}, ${b}, 9100, 'A', 'send'),
      (${ws}, ${c2}, ${a}, 8000, 'B', 'send'), (${ws}, ${c2}, ${b}, 8100, 'A', 'send')`.execute(db);
    await db
      .transaction()
      .execute((tx) => mergeCustomers(tx, ws, [survivor, a, b], { identities: [], source: 'test' }));
    const { rows } = await sql<{ campaign_id: number; customer_id: number; decision: string }>`
      select campaign_id, customer_id, decision from campaign_recipient where workspace_id = ${ws} order by campaign_id`.execute(
      db,
    );
    expect(rows.map((r) => [Number(r.campaign_id), Number(r.customer_id), r.decision])).toEqual([
      [c1, survivor, 'holdout'],
      [c2, survivor, 'send'],
    ]);
  });
});
