// bench/ingest: events/s through POST /v1/events on PostgreSQL, beside a raw COPY of the same
// rows into the same table, measured in the same run.
//
//   node bench/ingest/ingest.ts [--events 200000] [--batch 1000] [--concurrency 4] [--url postgres://…/postgres]
//
// It creates (and afterwards drops) a scratch database `kizuna_bench_ingest` on that server.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { openDatabase } from '@kizuna/server/database';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    customers: { type: 'string', default: '10000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    // How events name their customer: by LINE userId (resolved through customer_identity) or by
    // Kizuna's customer id.
    ref: { type: 'string', default: 'line' },
  },
});
const total = Number(values.events);
const batchSize = Number(values.batch);
const concurrency = Number(values.concurrency);
const customerCount = Number(values.customers);
const dbName = 'kizuna_bench_ingest';

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`drop database if exists ${dbName}`);
await admin.query(`create database ${dbName}`);
const benchUrl = values.url.replace(/\/[^/]*$/, `/${dbName}`);

const database = await openDatabase({ kind: 'postgres', url: benchUrl, poolSize: 10 });
await migrate(database);
const { workspaceId, apiKey } = await initWorkspace(database.db, {
  name: 'bench',
  ownerEmail: 'bench@example.jp',
});
const lineId = (n: number) => `U${n.toString(16).padStart(32, '0')}`;

// Existing customers with LINE identities: the steady state in which events arrive.
await sql`insert into customer (workspace_id, registered_at) select ${workspaceId}::uuid, now() from generate_series(1, ${customerCount})`.execute(
  database.db,
);
await sql`insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
  select ${workspaceId}::uuid, 'line', '', 'U' || lpad(to_hex(id), 32, '0'), id from customer where workspace_id = ${workspaceId}`.execute(
  database.db,
);
await sql`analyze`.execute(database.db);
const customerIds = (
  await sql<{ id: number }>`select id from customer order by id`.execute(database.db)
).rows.map((r) => r.id);

function makeEvent(i: number) {
  return {
    id: `ev-${i}`,
    type: i % 3 ? 'page_view' : 'message_open',
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    customer:
      values.ref === 'id'
        ? { id: customerIds[i % customerIds.length]! }
        : { lineUserId: lineId(customerIds[i % customerIds.length]!) },
    properties: { path: `/menu/${i % 50}`, campaign: 'spring' },
  };
}

async function timeApi(): Promise<number> {
  const app = await buildApp({ database, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const batches = Math.ceil(total / batchSize);
  const bodies = Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      events: Array.from({ length: Math.min(batchSize, total - b * batchSize) }, (_, k) =>
        makeEvent(b * batchSize + k),
      ),
    }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${address}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body,
        });
        if (res.status !== 200) throw new Error(`POST /v1/events: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  return seconds;
}

async function timeCopy(): Promise<number> {
  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  const escapeCopy = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  // The COPY text is built before the clock starts, as the API's request bodies are.
  const chunks: string[] = [];
  for (let i = 0; i < total; i += 1000) {
    let chunk = '';
    for (let k = i; k < Math.min(i + 1000, total); k++) {
      const e = makeEvent(k);
      chunk += `${workspaceId}\t${e.id}\t${customerIds[k % customerIds.length]}\t${e.type}\t${e.occurredAt}\t${escapeCopy(JSON.stringify(e.properties))}\n`;
    }
    chunks.push(chunk);
  }
  const started = performance.now();
  await pipeline(
    Readable.from(chunks),
    client.query(
      copyFrom(
        'copy event (workspace_id, external_id, customer_id, type, occurred_at, properties) from stdin',
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return seconds;
}

const count = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from event`.execute(database.db)).rows[0]!.n);

// Alternate the two, three rounds each, and compare medians: the machine is shared and noisy.
const rounds = Number(process.env.ROUNDS ?? 3);
const apiTimes: number[] = [];
const copyTimes: number[] = [];
for (let round = 0; round < rounds; round++) {
  await sql`truncate event`.execute(database.db);
  apiTimes.push(await timeApi());
  if ((await count()) !== total) throw new Error(`API stored ${await count()} events, expected ${total}`);
  await sql`truncate event`.execute(database.db);
  copyTimes.push(await timeCopy());
  if ((await count()) !== total) throw new Error(`COPY stored ${await count()} rows, expected ${total}`);
}
await database.close();
await admin.query(`drop database if exists ${dbName}`);
await admin.end();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const apiRate = total / median(apiTimes);
const copyRate = total / median(copyTimes);
console.log(
  `events: ${total}, batch ${batchSize}, concurrency ${concurrency}, ${customerCount} customers, customer by ${values.ref}, ${rounds} rounds (median)`,
);
console.log(
  `POST /v1/events: ${apiTimes.map((t) => t.toFixed(2)).join(' / ')} s → ${Math.round(apiRate).toLocaleString('en')} events/s`,
);
console.log(
  `COPY (baseline):  ${copyTimes.map((t) => t.toFixed(2)).join(' / ')} s → ${Math.round(copyRate).toLocaleString('en')} rows/s`,
);
console.log(`API / COPY: ${((apiRate / copyRate) * 100).toFixed(0)}%`);
