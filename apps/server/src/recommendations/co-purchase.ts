// Product recommendations from the workspace's own orders: what customers who bought X went on
// to buy (in the same order or later), counted over completed orders, with the workspace's most
// popular items as the fallback. One statement for any number of customers: a campaign renders
// recommendations for its whole audience at once, not one query per customer.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface RecommendationOptions {
  /** Items per customer (default 3, at most 20). */
  limit?: number;
  /** Recommend again what the customer already bought (consumables: coffee beans, shampoo). */
  keepRepurchases?: boolean;
  /** Only items of these product categories may be recommended again (コーヒー豆). */
  repurchaseCategories?: readonly string[];
}

export interface Recommendation {
  sku: string;
  name: string;
  productId: number | null;
  price: number | null;
  /**
   * `co_purchase`: the number of (customer, bought item) pairs behind it, summed over the items
   * this customer bought; `popular`: customers who bought it.
   */
  score: number;
  source: 'co_purchase' | 'popular';
}

interface Row {
  customer_id: number;
  sku: string;
  name: string;
  product_id: number | null;
  price: number | null;
  score: number;
  source: 'co_purchase' | 'popular';
}

/**
 * An item is an SKU (the line's own, else its product's). `lines`: each customer's items with the
 * first time they bought each. A pair (a → b) counts one per customer who bought b in the same
 * order as a or later (first purchases compared), so "bought together with, or after".
 */
function recommendationQuery(workspaceId: string, ids: number[], o: Required<RecommendationOptions>) {
  return sql<Row>`
    with lines as (
      select o.customer_id, coalesce(ol.sku, p.sku) as item, min(o.ordered_at) as first_at
      from customer_order o
      join order_line ol on ol.workspace_id = o.workspace_id and ol.order_id = o.id
      left join product p on p.workspace_id = ol.workspace_id and p.id = ol.product_id
      where o.workspace_id = ${workspaceId} and o.status = 'completed' and coalesce(ol.sku, p.sku) is not null
      group by 1, 2
    ), mine as (
      select customer_id, item, first_at from lines where customer_id = any(${ids}::bigint[])
    ), pairs as (
      select a.item as seed, b.item as rec, count(*)::int as n
      from lines a join lines b on b.customer_id = a.customer_id and b.item <> a.item and b.first_at >= a.first_at
      where a.item in (select item from mine)
      group by 1, 2
    ), popular as (
      select item, count(*)::int as buyers from lines group by item
    ), candidates as (
      select m.customer_id, pa.rec as item, sum(pa.n)::int as co
      from mine m join pairs pa on pa.seed = m.item group by 1, 2
    ), top as (
      -- Enough popular items that each customer has \`limit\` left after their own are removed.
      select item from popular order by buyers desc, item
      limit ${o.limit} + coalesce((select max(n) from (select count(*) as n from mine group by customer_id) x), 0)
    ), pool as (
      select c.id as customer_id, t.item, 0 as co from unnest(${ids}::bigint[]) c(id) cross join top t
      union all select customer_id, item, co from candidates
    ), scored as (
      -- What each customer may be recommended: not owned, unless repurchases are kept.
      select p.customer_id, p.item, max(p.co) as co, pop.buyers
      from pool p join popular pop on pop.item = p.item
      left join product pr on pr.workspace_id = ${workspaceId} and pr.sku = p.item
      where ${o.keepRepurchases} or pr.category = any(${[...o.repurchaseCategories]}::text[])
        or not exists (select 1 from mine m where m.customer_id = p.customer_id and m.item = p.item)
      group by p.customer_id, p.item, pop.buyers
    ), ranked as (
      select s.*, row_number() over (partition by s.customer_id order by s.co desc, s.buyers desc, s.item) as rank
      from scored s
    )
    select r.customer_id, r.item as sku,
      coalesce(pr.name, (select min(ol.name) from order_line ol where ol.workspace_id = ${workspaceId} and ol.sku = r.item)) as name,
      pr.id as product_id, pr.price,
      case when r.co > 0 then r.co else r.buyers end as score,
      case when r.co > 0 then 'co_purchase' else 'popular' end as source
    from ranked r
    left join product pr on pr.workspace_id = ${workspaceId} and pr.sku = r.item
    where r.rank <= ${o.limit}
    order by r.customer_id, r.rank`;
}

/**
 * Recommendations for each of `customerIds` (every id gets an entry, maybe empty), best first:
 * co-purchase score, then popularity. Customers with no orders get the most popular items.
 *
 * @example
 * const recs = await recommendProducts(db, ws, [12, 13], { limit: 3 });
 * recs.get(12); // [{ sku: 'BEAN-200', name: '深煎りブレンド 200g', score: 4, source: 'co_purchase', … }]
 */
export async function recommendProducts(
  db: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  options: RecommendationOptions = {},
): Promise<Map<number, Recommendation[]>> {
  const ids = [...new Set(customerIds)];
  const out = new Map<number, Recommendation[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const o = {
    limit: Math.min(Math.max(options.limit ?? 3, 1), 20),
    keepRepurchases: options.keepRepurchases ?? false,
    repurchaseCategories: options.repurchaseCategories ?? [],
  };
  const { rows } = await recommendationQuery(workspaceId, ids, o).execute(db);
  for (const r of rows)
    out.get(Number(r.customer_id))?.push({
      sku: r.sku,
      name: r.name,
      productId: r.product_id === null ? null : Number(r.product_id),
      price: r.price === null ? null : Number(r.price),
      score: Number(r.score),
      source: r.source,
    });
  return out;
}
