// Synthetic brand for bench/segments, generated inside PostgreSQL with generate_series (no rows
// travel through Node). Customer ids are 1..N in a fresh database. Visits are skewed (many
// one-time visitors, a few regulars) so that the segments have realistic sizes; purchases follow
// the buy-till-you-die shape the CLV models assume (see the orders below).

import type { Database } from '@kizuna/server/database';
import { sql } from 'kysely';

export interface GenerateOptions {
  customers: number;
  orders: number;
  visits: number;
  now: Date;
  log: (message: string) => void;
}

// Secondary indexes and unique constraints are dropped during the load and rebuilt after it:
// building them once is far faster than maintaining them row by row.
const SECONDARY = [
  {
    drop: sql`alter table customer_order drop constraint customer_order_workspace_id_external_id_key`,
    create: sql`alter table customer_order add constraint customer_order_workspace_id_external_id_key unique (workspace_id, external_id)`,
  },
  {
    drop: sql`drop index customer_order_customer_idx`,
    create: sql`create index customer_order_customer_idx on customer_order (workspace_id, customer_id, ordered_at)
      include (status, total, refunded_amount)`,
  },
  {
    drop: sql`alter table visit drop constraint visit_workspace_id_external_id_key`,
    create: sql`alter table visit add constraint visit_workspace_id_external_id_key unique (workspace_id, external_id)`,
  },
  {
    drop: sql`drop index visit_customer_idx`,
    create: sql`create index visit_customer_idx on visit (workspace_id, customer_id, visited_at)`,
  },
];

async function timed(log: (m: string) => void, what: string, run: () => Promise<unknown>) {
  const started = Date.now();
  await run();
  log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function generateBrand(
  database: Database,
  workspaceId: string,
  o: GenerateOptions,
): Promise<void> {
  const { db } = database;
  const ws = workspaceId;
  const now = o.now;
  for (const s of SECONDARY) await s.drop.execute(db);
  await sql`alter table customer_order drop constraint customer_order_workspace_id_customer_id_fkey`.execute(
    db,
  );
  await sql`alter table visit drop constraint visit_workspace_id_customer_id_fkey`.execute(db);
  await timed(o.log, `${o.customers} customers`, () =>
    sql`insert into customer (workspace_id, family_name, birthday, gender, registered_at, acquisition_source, attributes, tags)
      select ${ws}::uuid, '顧客' || g, date '1955-01-01' + (random() * 18000)::int,
        (array['female','male','other','unanswered'])[1 + floor(random() * 4)::int],
        ${now}::timestamptz - random() * interval '730 days',
        (array['line','store','instagram','ec','referral'])[1 + floor(random() * 5)::int],
        case when random() < 0.3 then jsonb_build_object('rank', (array['gold','silver','bronze'])[1 + floor(random() * 3)::int]) else '{}'::jsonb end,
        case when random() < 0.05 then array['staff_pick'] else '{}'::text[] end
      from generate_series(1, ${o.customers}) g`.execute(db),
  );
  await timed(o.log, 'identities and consent', async () => {
    await sql`insert into customer_identity (workspace_id, kind, value, customer_id)
      select ${ws}::uuid, 'line', 'U' || lpad(to_hex(id), 32, '0'), id from customer
      where workspace_id = ${ws} and random() < 0.4`.execute(db);
    await sql`insert into customer_identity (workspace_id, kind, value, customer_id)
      select ${ws}::uuid, 'email', 'c' || id || '@example.jp', id from customer
      where workspace_id = ${ws} and random() < 0.5`.execute(db);
    await sql`insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
      select ${ws}::uuid, customer_id, 'line', 'marketing', case when random() < 0.08 then 'blocked' else 'granted' end,
        'line_follow', ${now}::timestamptz - interval '10 days'
      from customer_identity where workspace_id = ${ws} and kind = 'line'`.execute(db);
  });
  // Purchase histories of the shape the CLV models assume (Pareto/NBD-like, which BG/NBD fits
  // too): each customer is acquired at a uniform time in the last two years, stays for an
  // exponential lifetime (one-year mean), and buys at their own rate while active, the rates
  // gamma-distributed (shape 1) across customers. The number of orders is Poisson-like in
  // rate × active days (stochastic rounding), scaled so that the total is about `orders`.
  // Three per-customer uniforms come from hashes of the id, so both statements see the same ones.
  const uniform = (salt: string) =>
    sql`((('x' || substr(md5(c.id::text || ${salt}), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0)::float8`;
  const perCustomer = sql`select c.id, 730 * ${uniform('a')} as since,
      least(730 * ${uniform('a')}, -ln(${uniform('l')}) * 365) as active, -ln(${uniform('r')}) as rate
    from customer c where c.workspace_id = ${ws}`;
  await timed(o.log, `about ${o.orders} orders`, async () => {
    const { rows } = await sql<{ exposure: number }>`select sum(rate * active)::float8 as exposure
      from (${perCustomer}) p`.execute(db);
    const scale = o.orders / Number(rows[0]?.exposure ?? 1);
    await sql`insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total, refunded_amount)
      select ${ws}::uuid, 'O' || id || '-' || k, id,
        case when r < 0.95 then 'completed' when r < 0.98 then 'cancelled' else 'refunded' end,
        ${now}::timestamptz - since * interval '1 day' + random() * active * interval '1 day',
        t, t, case when r >= 0.98 then t else 0 end
      from (select p.*, k, random() as r, (500 + floor(random() * 195) * 100)::bigint as t
        from (${perCustomer}) p
        cross join lateral generate_series(1, floor(${scale}::float8 * p.rate * p.active + random())::int) k) x`.execute(
      db,
    );
  });
  // Visits: a customer drawn with density ∝ u^1.6 (many one-time visitors, a few regulars).
  const customer = sql`1 + floor(${o.customers} * power(random(), 1.6))::bigint`;
  if (o.visits === 0) return finish(db, o);
  await timed(o.log, `${o.visits} visits`, () =>
    sql`insert into visit (workspace_id, external_id, customer_id, visited_at)
      select ${ws}::uuid, 'V' || g, ${customer}, ${now}::timestamptz - random() * interval '730 days'
      from generate_series(1, ${o.visits}) g`.execute(db),
  );
  await finish(db, o);
}

async function finish(db: Database['db'], o: GenerateOptions): Promise<void> {
  await timed(o.log, 'indexes and constraints rebuilt', async () => {
    for (const s of SECONDARY) await s.create.execute(db);
    await sql`alter table customer_order add constraint customer_order_workspace_id_customer_id_fkey
      foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade`.execute(
      db,
    );
    await sql`alter table visit add constraint visit_workspace_id_customer_id_fkey
      foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade`.execute(
      db,
    );
  });
  await timed(o.log, 'vacuum analyze', () => sql`vacuum analyze`.execute(db));
}
