// The dashboard's first call, GET /v1/analytics/overview, at 1M customers: countOverview (its three
// statements side by side) beside the same three statements one after the other (as before
// 2026-12-07), alternating, on the shop bench/console kept (`--keep`); and readOverview, which at
// this size reads the figures the last analytics refresh stored (run refresh-shop.ts first on a
// shop built before that).
//
//   node bench/console/overview.ts [--rounds 9] [--url postgres://postgres@127.0.0.1:5432/postgres]
//     [--db consolebench_console]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { countOverview, readOverview } from '@kizuna/server/internal/analytics/overview';
import { sql } from 'kysely';
import { findShop } from './shop.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    db: { type: 'string', default: 'consolebench_console' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds: a positive whole number, got ${values.rounds}`);
const database = await openDatabase({
  kind: 'postgres',
  url: values.url.replace(/\/[^/]*$/, `/${values.db}`),
  poolSize: 10,
});
const ws = await findShop(database);
if (!ws) throw new Error(`--db: ${values.db} has no bench shop; run bench/console/console.ts --keep first`);
const { db } = database;

/** The three statements one after the other, as readOverview sent them before. */
async function oneAfterTheOther() {
  const statements = [
    sql`select count(*) from customer where workspace_id = ${ws} and merged_into_id is null`,
    sql`select count(*) filter (where order_count > 0), count(*) filter (where order_count > 1),
      sum(revenue) filter (where order_count > 0), avg(predicted_clv) from customer_stats where workspace_id = ${ws}`,
    sql`select count(*) filter (where status = 'friend'), count(*) filter (where status = 'blocked')
      from line_friend where workspace_id = ${ws}`,
  ];
  for (const statement of statements) await statement.execute(db);
}

const time = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)]!;

console.log(
  `load average at the start: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);
console.log(JSON.stringify(await readOverview(db, ws)));
await oneAfterTheOther(); // warm-up
const now: number[] = [];
const before: number[] = [];
const stored: number[] = [];
for (let i = 0; i < rounds; i++) {
  if (i % 2 === 0) {
    now.push(await time(() => countOverview(db, ws)));
    before.push(await time(oneAfterTheOther));
  } else {
    before.push(await time(oneAfterTheOther));
    now.push(await time(() => countOverview(db, ws)));
  }
  stored.push(await time(() => readOverview(db, ws)));
}
const fmt = (list: number[]) =>
  `median ${Math.round(median(list))} ms (min ${Math.round(Math.min(...list))}, max ${Math.round(Math.max(...list))})`;
console.log(`countOverview, side by side: ${fmt(now)}`);
console.log(`one after the other:         ${fmt(before)}`);
console.log(`readOverview (${JSON.stringify((await readOverview(db, ws)).freshness)}): ${fmt(stored)}`);
console.log(
  `load average at the end: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);
await database.close();
