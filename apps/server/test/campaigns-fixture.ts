// Hand-made customers, products and orders for the campaign, template and recommendation tests,
// written straight into the real database (one statement each).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../src/db/schema.ts';

let orderNo = 0;

export async function addCustomer(
  db: Kysely<DB>,
  workspaceId: string,
  fields: { family?: string; given?: string; familyKana?: string; givenKana?: string } = {},
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into customer (workspace_id, family_name, given_name, family_name_kana, given_name_kana)
    values (${workspaceId}, ${fields.family ?? null}, ${fields.given ?? null}, ${fields.familyKana ?? null}, ${fields.givenKana ?? null})
    returning id`.execute(db);
  return Number(rows[0]!.id);
}

export async function addProduct(
  db: Kysely<DB>,
  workspaceId: string,
  sku: string,
  name: string,
  price: number,
  category: string | null = null,
): Promise<void> {
  await sql`insert into product (workspace_id, sku, name, price, category)
    values (${workspaceId}, ${sku}, ${name}, ${price}, ${category})`.execute(db);
}

/** A completed order (unless `status` says otherwise) of one line per SKU, each `amount` yen. */
export async function addOrder(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  orderedAt: string,
  skus: string[],
  options: { amount?: number; status?: string } = {},
): Promise<number> {
  const amount = options.amount ?? 1000;
  const total = amount * skus.length;
  orderNo++;
  const { rows } = await sql<{ id: number }>`
    insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
    values (${workspaceId}, ${`T-${orderNo}-${customerId}`}, ${customerId}, ${options.status ?? 'completed'}, ${orderedAt}, ${total}, ${total})
    returning id`.execute(db);
  const id = Number(rows[0]!.id);
  for (const [i, sku] of skus.entries())
    await sql`insert into order_line (workspace_id, order_id, line_no, product_id, sku, name, quantity, unit_price, amount)
      values (${workspaceId}, ${id}, ${i + 1},
        (select id from product where workspace_id = ${workspaceId} and sku = ${sku}), ${sku}, ${sku}, 1, ${amount}, ${amount})`.execute(
      db,
    );
  return id;
}
