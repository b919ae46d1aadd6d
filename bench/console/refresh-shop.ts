// Runs the analytics refresh (what the hourly job and 集計を更新 do) on the kept bench shop, so a
// shop built by an older Kizuna holds what the current one stores.
//
//   node bench/console/refresh-shop.ts [--url postgres://postgres@127.0.0.1:5432/postgres] [--db consolebench_console]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { refreshAnalytics } from '@kizuna/server/internal/analytics/analytics-views';
import { findShop } from './shop.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    db: { type: 'string', default: 'consolebench_console' },
  },
});
if (!/^[a-z_][a-z0-9_]*$/.test(values.db)) throw new Error(`--db: a plain lower-case name, got ${values.db}`);
const database = await openDatabase({
  kind: 'postgres',
  url: values.url.replace(/\/[^/]*$/, `/${values.db}`),
});
const workspaceId = await findShop(database);
if (!workspaceId) throw new Error(`${values.db} has no bench shop`);
console.log(
  `load average at the start: ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);
const started = Date.now();
const timings = await refreshAnalytics(database.db, workspaceId);
console.log(`refreshed in ${Date.now() - started} ms: ${JSON.stringify(timings)}`);
await database.close();
