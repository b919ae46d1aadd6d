// bench/journeys: journey engine step throughput on PostgreSQL, beside a baseline measured in the
// same run on the same rows: a plain set-based UPDATE that advances every run by the same amount
// (node, step count, due time), in batches of the same size, each its own transaction.
//
//   node bench/journeys/journeys.ts [--runs 20000] [--batch 1000] [--url postgres://postgres@127.0.0.1:5432/test]
//
// The journey: addTag (one UPDATE of the customers per batch) → wait P1D → exit. Pass 1 executes
// two steps per run (the tag and the wait), pass 2, a day later, one (the exit). Sends are not in
// it: their cost is the messaging core's (bench/line-delivery). Everything lives in a fresh schema,
// dropped afterwards.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { advanceJourneys } from '@kizuna/server/internal/journeys/advance';
import { enterRuns, liveJourneys } from '@kizuna/server/internal/journeys/enter-runs';
import { createJourney, transitionJourney } from '@kizuna/server/internal/journeys/journeys';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const runs = Number(values.runs);
const batchSize = Number(values.batch);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const schema = `bench_journeys_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const database = await openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 4 });
const DAY = 86_400_000;

try {
  await migrate(database);
  const db = database.db;
  const { workspaceId: ws } = await initWorkspace(db, { name: 'bench', ownerEmail: 'bench@example.jp' });
  const { rows } = await sql<{ id: number }>`insert into customer (workspace_id)
    select ${ws}::uuid from generate_series(1, ${runs}) returning id`.execute(db);
  const definition = {
    trigger: { event: 'visit.recorded' },
    reentry: 'after_exit',
    quietHours: 'hold',
    nodes: [
      { id: 'tag', type: 'action', action: { type: 'addTag', tag: 'bench' }, next: 'wait' },
      { id: 'wait', type: 'wait', duration: 'P1D', next: 'end' },
      { id: 'end', type: 'exit' },
    ],
  };
  const t0 = new Date('2027-01-04T10:00:00+09:00');
  const enter = async () => {
    const started = performance.now();
    await db.transaction().execute(async (tx) => {
      const [journey] = await liveJourneys(tx, ws, ['visit.recorded']);
      await enterRuns(
        tx,
        ws,
        journey!,
        rows.map((r) => ({ customerId: Number(r.id), key: '' })),
        t0,
      );
    });
    return performance.now() - started;
  };
  const journey = await createJourney(db, ws, { name: 'bench', definition });
  await transitionJourney(db, ws, journey.id, 'publish', t0);
  console.log(`bench/journeys: ${runs} runs, batch ${batchSize}, ${cpus().length} CPUs, load ${load()}`);
  console.log(`enter ${runs} runs: ${(await enter()).toFixed(0)} ms`);

  // Baseline: advance the same rows by the same amount with a plain UPDATE, batch by batch.
  let started = performance.now();
  for (;;) {
    const { numAffectedRows } =
      await sql`update journey_run r set node_id = 'wait', step_count = step_count + 1,
        due_at = due_at + interval '1 day'
      where r.workspace_id = ${ws} and r.id in (select id from journey_run where workspace_id = ${ws}
        and status = 'active' and due_at <= ${t0} order by due_at, id limit ${batchSize} for update skip locked)`.execute(
        db,
      );
    if (Number(numAffectedRows ?? 0) < batchSize) break;
  }
  const baselineMs = performance.now() - started;
  await sql`update journey_run set node_id = 'tag', step_count = 0, due_at = ${t0} where workspace_id = ${ws}`.execute(
    db,
  );
  console.log(
    `baseline: plain UPDATE advancing ${runs} runs one node: ${baselineMs.toFixed(0)} ms, ${((runs / baselineMs) * 1000).toFixed(0)} rows/s (load ${load()})`,
  );

  started = performance.now();
  const pass1 = await advanceJourneys(db, ws, { now: t0, batchSize });
  const pass1Ms = performance.now() - started;
  console.log(
    `engine pass 1 (addTag + wait): ${pass1.steps} steps in ${pass1Ms.toFixed(0)} ms, ${((pass1.steps / pass1Ms) * 1000).toFixed(0)} steps/s, ` +
      `${((runs / pass1Ms) * 1000).toFixed(0)} runs/s = ${((baselineMs / pass1Ms) * 100).toFixed(0)}% of the baseline's rows/s (load ${load()})`,
  );
  started = performance.now();
  const pass2 = await advanceJourneys(db, ws, { now: new Date(t0.getTime() + DAY), batchSize });
  const pass2Ms = performance.now() - started;
  console.log(
    `engine pass 2 (exit): ${pass2.steps} steps in ${pass2Ms.toFixed(0)} ms, ${((pass2.steps / pass2Ms) * 1000).toFixed(0)} steps/s = ` +
      `${((baselineMs / pass2Ms) * 100).toFixed(0)}% of the baseline (load ${load()})`,
  );
} finally {
  await database.close();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
