// bench/journeys: the journey engine on PostgreSQL at issue #14's scale, each figure beside a
// baseline measured in the same run:
//
//   node bench/journeys/journeys.ts [--runs 1000000] [--batch 1000] [--late 100000]
//     [--entry 1000000] [--only throughput|lateness|entry] [--lanes 1,2,1,2] [--profile]
//     [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// 1. Step throughput: --runs runs of addTag → wait P1D → exit, loaded with one statement. Pass 1
//    executes two steps a run (the tag, one UPDATE of the customers per batch, and the wait), pass
//    2, a day later, one (the exit). Each pass's baseline is a plain set-based UPDATE that moves
//    the same runs to the same state (node, step count, due time; for the exit, status and exit
//    reason) with the engine's claim, in batches of --batch, each its own statement.
// 2. Scheduling lateness (scheduling.ts): --late runs due at the same instant.
// 3. Segment entry (scheduling.ts): --entry `segment.entered` events of one segment.
//
// Everything lives in the scratch database `kizuna_bench_journeys`, dropped afterwards.
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { advanceJourneys, later } from '@kizuna/server/internal/journeys/advance';
import { createJourney, transitionJourney } from '@kizuna/server/internal/journeys/journeys';
import { type ClaimKey, claimSql } from '@kizuna/server/internal/journeys/run-state';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';
import { type CustomerRange, load, loadCustomers, loadRuns, timed, vacuum } from './fixtures.ts';
import { startProfile } from './profile.ts';
import { measureLateness, measureSegmentEntry } from './scheduling.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    late: { type: 'string', default: '100000' },
    entry: { type: 'string', default: '1000000' },
    only: { type: 'string' },
    // Lateness rounds, one per entry: the engine's lanes (batches in flight) in that round.
    lanes: { type: 'string', default: '1,2,1,2' },
    // Throughput: batches in flight, for the engine (advanceJourneys' lanes) and for the baseline
    // alike (that many connections, each claiming its own batches).
    'throughput-lanes': { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    // Print the plan of the engine's claim before each pass.
    explain: { type: 'boolean', default: false },
    // Plans of the statements slower than this many ms, through auto_explain (needs a superuser).
    'explain-slow': { type: 'string' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const runs = Number(values.runs);
const batchSize = Number(values.batch);
const dbName = 'kizuna_bench_journeys';
const url = values.url.replace(/\/[^/]*$/, `/${dbName}`);
const slow = values['explain-slow'];
const engineUrl =
  slow === undefined
    ? url
    : `${url}?options=${encodeURIComponent(`-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=${slow} -c auto_explain.log_analyze=on -c auto_explain.log_triggers=on -c auto_explain.log_buffers=on -c client_min_messages=log`)}`;
const wants = (part: string) => values.only === undefined || values.only === part;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const DAY = 86_400_000;
class Rollback extends Error {}

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`drop database if exists ${dbName}`);
await admin.query(`create database ${dbName}`);
const database = await openDatabase({ kind: 'postgres', url: engineUrl, poolSize: 4 });
const profile =
  values.profile || slow !== undefined ? startProfile({ notices: slow !== undefined }) : undefined;

try {
  await migrate(database);
  const db = database.db;
  const { workspaceId: ws } = await initWorkspace(db, { name: 'bench', ownerEmail: 'bench@example.jp' });
  const customerCount = Math.max(
    wants('throughput') ? runs : 0,
    wants('lateness') ? Number(values.late) : 0,
    wants('entry') ? Number(values.entry) : 0,
  );
  const [customers, loadMs] = await timed(() => loadCustomers(db, ws, customerCount));
  console.log(
    `bench/journeys: batch ${batchSize}, ${fmt(customerCount)} customers loaded in ${(loadMs / 1000).toFixed(1)} s (load ${load()})`,
  );
  if (wants('throughput'))
    await throughput(db, ws, { first: customers.first, last: customers.first + runs - 1 });
  if (wants('lateness')) {
    const late = { first: customers.first, last: customers.first + Number(values.late) - 1 };
    await measureLateness(db, url, ws, late, batchSize, values.lanes.split(',').map(Number));
    profile?.report('lateness (with its setup)');
  }
  if (wants('entry')) {
    const members = { first: customers.first, last: customers.first + Number(values.entry) - 1 };
    await measureSegmentEntry(db, url, ws, members, batchSize);
    profile?.report('segment entry (with its setup)');
  }
} finally {
  await database.close();
  await admin.query(`drop database if exists ${dbName}`);
  await admin.end();
}

async function throughput(db: typeof database.db, ws: string, range: CustomerRange): Promise<void> {
  const t0 = new Date('2027-01-04T10:00:00+09:00');
  const t1 = new Date(t0.getTime() + DAY);
  const journey = await createJourney(db, ws, {
    name: 'bench',
    definition: {
      trigger: { event: 'visit.recorded' },
      reentry: 'after_exit',
      quietHours: 'hold',
      nodes: [
        { id: 'tag', type: 'action', action: { type: 'addTag', tag: 'bench' }, next: 'wait' },
        { id: 'wait', type: 'wait', duration: 'P1D', next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  await transitionJourney(db, ws, journey.id, 'publish', t0);
  const [loaded, loadMs] = await timed(() =>
    loadRuns(
      db,
      ws,
      { journeyId: journey.id, version: 1, nodeId: 'tag', stepCount: 0, enteredAt: t0, dueAt: t0 },
      range,
    ),
  );
  console.log(`throughput: ${fmt(loaded)} runs loaded in ${(loadMs / 1000).toFixed(1)} s`);
  const j = journey.id;
  // Every measurement starts from runs rewritten once and vacuumed, as the engine finds them.
  const reset = async (state: ReturnType<typeof sql>) => {
    await sql`update journey_run set ${state} where workspace_id = ${ws} and journey_id = ${j}`.execute(db);
    await vacuum(url, ['journey_run', 'journey_step', 'customer']);
  };
  const atTag = sql`node_id = 'tag', step_count = 0, due_at = ${t0}, status = 'active', exited_at = null, exit_reason = null`;
  const atEnd = sql`node_id = 'end', step_count = 2, due_at = ${t1}, status = 'active', exited_at = null, exit_reason = null`;
  // The engine's claim (run-state.ts), each batch after the last run of the one before, as
  // advanceJourneys claims, so the baseline differs only in what it does; the rows it locked are
  // updated at their ctid, as the engine's write-back finds them.
  const advanceSql = (now: Date, set: ReturnType<typeof sql>, after?: ClaimKey) => sql<{
    n: number;
    due_at: Date;
    id: string;
  }>`with c as (${claimSql(ws, now, batchSize, after)}),
    u as (update journey_run r set ${set} from c where r.ctid = c.ctid::tid and r.workspace_id = ${ws} and r.id = c.id returning c.due_at, c.id)
    select (select count(*) from u)::int as n, l.due_at, l.id from (select due_at, id from u order by due_at desc, id desc limit 1) l`;
  // With several lanes, each claims after the furthest full batch any lane claimed and ends
  // with a claim from the start that finds less than a batch, as advanceJourneys' lanes do.
  const lanes = Math.max(1, Number(values['throughput-lanes']));
  const baseline = (now: Date, set: ReturnType<typeof sql>) =>
    timed(async () => {
      let furthest: ClaimKey | undefined;
      const lane = async () => {
        let fromStart = false;
        for (;;) {
          const after = fromStart ? undefined : furthest;
          const { rows } = await advanceSql(now, set, after).execute(db);
          const last = rows[0];
          if ((last?.n ?? 0) < batchSize) {
            if (after === undefined) return;
            fromStart = true;
            continue;
          }
          furthest = later(furthest, { dueAt: last!.due_at, id: Number(last!.id) });
          fromStart = false;
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    });
  const pass = async (
    title: string,
    now: Date,
    set: ReturnType<typeof sql>,
    before: ReturnType<typeof sql>,
  ) => {
    await reset(before);
    if (values.explain) await explain(db, advanceSql(now, set));
    const [, baseMs] = await baseline(now, set);
    const baseLoad = load();
    await reset(before);
    if (values.explain) {
      await explain(db, claimSql(ws, now, batchSize));
      await explain(db, advanceSql(now, set));
    }
    profile?.report('setup');
    const [result, ms] = await timed(() => advanceJourneys(db, ws, { now, batchSize, lanes }));
    const runsPerS = (loaded / ms) * 1000;
    console.log(
      `${title}, ${lanes} lane${lanes > 1 ? 's' : ''}: baseline UPDATE ${fmt(loaded)} runs in ${(baseMs / 1000).toFixed(1)} s = ${fmt((loaded / baseMs) * 1000)} rows/s (load ${baseLoad}); ` +
        `engine ${fmt(result.steps)} steps in ${(ms / 1000).toFixed(1)} s = ${fmt((result.steps / ms) * 1000)} steps/s, ` +
        `${fmt(runsPerS)} runs/s = ${((baseMs / ms) * 100).toFixed(0)}% of the baseline (load ${load()})`,
    );
    profile?.report(title);
  };
  await pass(
    'pass 1 (addTag + wait)',
    t0,
    sql`node_id = 'end', step_count = r.step_count + 2, due_at = r.due_at + interval '1 day'`,
    atTag,
  );
  // The engine's pass 1 left the runs at 'end': the reset rewrites them to the same state.
  await pass(
    'pass 2 (exit)',
    t1,
    sql`step_count = r.step_count + 1, due_at = null, status = 'exited', exited_at = ${t1}, exit_reason = 'completed'`,
    atEnd,
  );
}

/** EXPLAIN ANALYZE of a statement, in a transaction rolled back. */
async function explain(db: typeof database.db, statement: ReturnType<typeof sql>): Promise<void> {
  await db
    .transaction()
    .execute(async (tx) => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${statement}`.execute(
        tx,
      );
      for (const r of rows) console.log(`  ${r['QUERY PLAN']}`);
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
}
