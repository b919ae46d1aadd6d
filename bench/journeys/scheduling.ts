// bench/journeys: scheduling lateness and a segment entering a journey, with the LINE send node
// they reach (its cost up to the messaging core's commit of the send: delivery is
// bench/line-delivery's).
//
// Lateness: runs wait at a send node, all due at 10:00:00 JST (a "3 days later at 10:00" wait
// puts a whole cohort on one instant); the minute tick starts at that instant, and a run's
// lateness is the wall time from the tick's start to the commit of the batch that sent it. A run
// due in the middle of a minute waits, besides, for the next minute's tick: up to 60 s more, by
// the cron's design, which this does not measure.
//
// Segment entry: one segment recompute published `segment.entered` for every member (one
// transaction). From its commit, the tick's trigger consumer enters the runs page by page, then
// the engine's first batch makes the first send (the tick consumes every event before it
// advances: journey-jobs.ts).
import { randomBytes } from 'node:crypto';
import type { Database } from '@kizuna/server/database';
import { advanceBatch, advanceJourneys } from '@kizuna/server/internal/journeys/advance';
import { consumeJourneyTriggers } from '@kizuna/server/internal/journeys/consume-triggers';
import { createJourney, transitionJourney } from '@kizuna/server/internal/journeys/journeys';
import { saveChannel } from '@kizuna/server/internal/line/channels';
import { parseLineHostAllowance } from '@kizuna/server/internal/line/line-hosts';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { transact } from '@kizuna/server/transact';
import { sql } from 'kysely';
import { type CustomerRange, load, loadRuns, loadSegmentEntries, timed, vacuum } from './fixtures.ts';

type Db = Database['db'];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const text = (t: string) => ({ type: 'text' as const, text: t });

/**
 * The workspace's LINE channel, whose friends are the customers of `friends` (each with a LINE
 * identity, as a friend-add leaves them), so every send of the lateness rounds has an address to
 * write, as in a shop (before 2026-12-07 evening they had none, and every outbox row was skipped).
 */
async function lineChannel(db: Db, url: string, ws: string, friends?: CustomerRange): Promise<void> {
  const exists = await db
    .selectFrom('line_channel')
    .select('id')
    .where('workspace_id', '=', ws)
    .executeTakeFirst();
  if (exists) return;
  const channel = await saveChannel(
    db,
    createSecretBox(randomBytes(32)),
    'http://localhost',
    ws,
    {
      lineChannelId: '1650000999',
      channelSecret: 'bench-secret',
      accessToken: 'bench-token',
      apiBaseUrl: 'http://127.0.0.1:9',
    },
    parseLineHostAllowance('127.0.0.1', false),
  );
  if (!friends) return;
  await sql`insert into customer_identity (workspace_id, kind, value, customer_id)
    select ${ws}::uuid, 'line', 'U' || md5(c.id::text), c.id from customer c
    where c.workspace_id = ${ws} and c.id between ${friends.first} and ${friends.last}`.execute(db);
  await sql`insert into line_friend (workspace_id, channel_id, line_user_id, customer_id, status, follow_count, last_event_at)
    select ${ws}::uuid, ${channel.id}::uuid, 'U' || md5(c.id::text), c.id, 'friend', 1, now() from customer c
    where c.workspace_id = ${ws} and c.id between ${friends.first} and ${friends.last}`.execute(db);
  await vacuum(url, ['customer_identity', 'line_friend']);
}

/** The p-th percentile (0–100) of sorted values, nearest rank. */
function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

export async function measureLateness(
  db: Db,
  url: string,
  ws: string,
  range: CustomerRange,
  batchSize: number,
  lanesPerRound: readonly number[] = [1],
): Promise<void> {
  await lineChannel(db, url, ws, range);
  // Each round has its own journey and runs, due a day after the round before's.
  for (const [round, lanes] of lanesPerRound.entries())
    await latenessRound(db, url, ws, range, batchSize, lanes, round);
}

async function latenessRound(
  db: Db,
  url: string,
  ws: string,
  range: CustomerRange,
  batchSize: number,
  lanes: number,
  round: number,
): Promise<void> {
  const due = new Date(Date.parse('2027-02-01T10:00:00+09:00') + round * 86_400_000);
  const journey = await createJourney(db, ws, {
    name: `lateness ${round + 1}`,
    definition: {
      trigger: { event: 'order.recorded' },
      reentry: 'after_exit',
      quietHours: 'hold',
      nodes: [
        { id: 'reminder', type: 'send', messages: [text('ご来店ありがとうございました')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  await transitionJourney(db, ws, journey.id, 'publish', due);
  const enteredAt = new Date(due.getTime() - 3 * 86_400_000);
  const n = await loadRuns(
    db,
    ws,
    { journeyId: journey.id, version: 1, nodeId: 'reminder', stepCount: 0, enteredAt, dueAt: due },
    range,
  );
  // Baseline: the same runs claimed and moved on by a plain UPDATE, in a transaction rolled back.
  const [, baseMs] = await timed(() =>
    db
      .transaction()
      .execute(async (tx) => {
        await sql`update journey_run set node_id = 'end', step_count = 1, due_at = null, status = 'exited',
        exited_at = ${due}, exit_reason = 'completed'
        where workspace_id = ${ws} and journey_id = ${journey.id} and status = 'active' and due_at <= ${due}`.execute(
          tx,
        );
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      }),
  );
  const baseLoad = load();
  await vacuum(url, ['journey_run', 'journey_step', 'customer']);
  const lateness: number[] = [];
  const started = performance.now();
  const result = await advanceJourneys(db, ws, {
    now: due,
    batchSize,
    lanes,
    onBatch: (batch) => {
      const late = performance.now() - started;
      for (let i = 0; i < batch.runs; i++) lateness.push(late);
    },
  });
  lateness.sort((a, b) => a - b);
  console.log(
    `lateness, round ${round + 1}, ${lanes} lane${lanes === 1 ? '' : 's'}: ${fmt(n)} runs due at one instant, a send each: ${fmt(result.runs)} advanced, lateness p50 ${secs(percentile(lateness, 50))}, ` +
      `p99 ${secs(percentile(lateness, 99))}, max ${secs(percentile(lateness, 100))} (load ${load()}); baseline: one UPDATE moving ` +
      `the same runs ${secs(baseMs)} (load ${baseLoad})`,
  );
}

class Rollback extends Error {}

export async function measureSegmentEntry(
  db: Db,
  url: string,
  ws: string,
  range: CustomerRange,
  batchSize: number,
): Promise<void> {
  await lineChannel(db, url, ws);
  const now = new Date('2027-03-01T12:00:00+09:00');
  const segmentId = 1;
  const journey = await createJourney(db, ws, {
    name: 'segment entry',
    definition: {
      trigger: { event: 'segment.entered', segmentId },
      reentry: 'after_exit',
      quietHours: 'hold',
      nodes: [
        { id: 'welcome', type: 'send', messages: [text('VIP会員になりました')], next: 'wait' },
        { id: 'wait', type: 'wait', duration: 'P3D', next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  await transitionJourney(db, ws, journey.id, 'publish', now);
  const [events, loadMs] = await timed(() => loadSegmentEntries(db, ws, segmentId, range, now));
  await vacuum(url, ['domain_event']);
  console.log(`entry: ${fmt(events)} segment.entered events loaded in ${secs(loadMs)} (load ${load()})`);
  const started = performance.now();
  let entered = 0;
  let pages = 0;
  // The consumer reads only events of transactions older than every running one: a long
  // transaction elsewhere on the server delays it, as it would in production.
  let analyzed = false;
  while (entered < events) {
    const consumed = await consumeJourneyTriggers(db, ws, { now });
    entered += consumed.entered;
    pages++;
    // What autovacuum does within its naptime once a table grows from empty: this machine's
    // PostgreSQL runs with autovacuum off, and a journey_run never analyzed is planned as empty
    // (the re-entry check then scans every run for each event: an earlier run stalled at 737k).
    if (!analyzed && entered >= 10_000) {
      await sql`analyze journey_run`.execute(db);
      analyzed = true;
    }
  }
  const enteredMs = performance.now() - started;
  const enterLoad = load();
  // The engine's first batch (advanceJourneys' loop body): its commit holds the first send.
  await transact(db, (tx) => advanceBatch(tx, ws, { now }, batchSize));
  const firstMs = performance.now() - started;
  const sends = await db
    .selectFrom('message_send')
    .select(db.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', ws)
    .where('origin', 'like', `journey:${journey.id}/%`)
    .executeTakeFirst();
  console.log(
    `entry: ${fmt(entered)} runs created in ${secs(enteredMs)} (${fmt((entered / enteredMs) * 1000)} runs/s, ${pages} consumer calls, load ${enterLoad}); ` +
      `first message (its send committed) at ${secs(firstMs)} (sends: ${Number(sends?.n ?? 0)}, load ${load()})`,
  );
}
