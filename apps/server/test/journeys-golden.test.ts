// Golden replays of the journey engine: each `golden/<name>.input.json` records a journey, the
// workspace's send policy, its customers and the inputs (domain events at JST instants); the
// replay runs them on a simulated clock against the real engine, the messaging core and the LINE
// sandbox (whose clock is the same simulated one), and compares what happened with
// `golden/<name>.expected.json`: every message as the sandbox received it with its exact JST
// instant, every step with its outcome and the core's decision, every run's end, and the clock
// ticks the replay made.
//
// Clock ticks: between inputs the replay jumps the clock to the next instant anything is due (a
// run's due_at, a held send's resume_at), runs the trigger consumer, the engine and the delivery
// of pending sends there, as the every-minute job would at that minute. So a 30-day journey is a
// few dozen ticks, not 43,200 minutes.
//
// KIZUNA_GOLDEN_UPDATE=1 rewrites the expected files from this run (journeys/README.md): review
// the diff before committing it; a change there is a change in behaviour.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readLinkToken } from '../src/clicks/link-token.ts';
import { recordClick } from '../src/clicks/record-click.ts';
import { createJourney, transitionJourney } from '../src/journeys/journeys.ts';
import { deliverSend } from '../src/line/deliver-send.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { PUBLIC_URL } from './email-setup.ts';
import { lineUserId, newWorkspace, type TestApp } from './helpers.ts';
import { JOURNEY_TEST_TIMEOUT, publishEvents, tick } from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

const GOLDEN = join(import.meta.dirname, 'golden');
const UPDATE = process.env.KIZUNA_GOLDEN_UPDATE === '1';

interface GoldenInput {
  description: string;
  policy: object;
  customers: { name: string; consent?: boolean }[];
  definition: unknown;
  /** Links in sends go through the tracked redirect (the journey stores a public URL). */
  trackLinks?: boolean;
  /** A friend-add, or the customer following the link of node `click`'s message (through clicks/). */
  inputs: ({ at: string; customer: string } & ({ event: 'line.friend_added' } | { click: string }))[];
  /** The replay runs everything due up to this instant after the last input. */
  until: string;
}

interface GoldenOutput {
  sends: { at: string; customer: string; text: string }[];
  steps: { customer: string; node: string; executedAt: string; outcome: string; delivery?: string }[];
  runs: { customer: string; exit: string | null; exitedAt: string | null }[];
  ticks: string[];
}

/** An instant as JST wall-clock ISO 8601: 2027-04-01T10:00:00+09:00. */
function jstIso(d: Date): string {
  return `${new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
}

// The sandbox reads the replay's clock, so what it records carries the simulated instant.
let clock = new SimulatedClock(new Date('2027-01-01T00:00:00+09:00'));
let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed({ clock: () => clock.now().getTime() }, []);
});
afterAll(async () => bed?.close());

let channels = 0;
let firstUser = 1;

/** A workspace of its own with a LINE channel on the sandbox and the fixture's send policy. */
async function workspaceFor(input: GoldenInput): Promise<TestApp> {
  const workspace = await newWorkspace(bed.database);
  const t: TestApp = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
  const put = (url: string, payload: object) =>
    t.app.inject({ method: 'PUT', url, headers: t.auth, payload });
  const channel = await put(`/v1/line/channels/${1650002000 + ++channels}`, {
    name: 'ゴールデン店',
    channelSecret: bed.line.channelSecret,
    accessToken: 'test-access-token-0001',
    apiBaseUrl: bed.line.url,
  });
  expect(channel.statusCode, channel.body).toBe(200);
  const policy = await put('/v1/messaging/policy', input.policy);
  expect(policy.statusCode, policy.body).toBe(200);
  return t;
}

async function replay(input: GoldenInput): Promise<GoldenOutput> {
  const t = await workspaceFor(input);
  const ws = t.workspace.workspaceId;
  const db = bed.database.db;
  const first = firstUser;
  firstUser += input.customers.length;
  const ids = await makeFriends(db, ws, first, input.customers.length);
  const byName = new Map(
    input.customers.map((c, i) => [c.name, { id: ids[i]!, line: lineUserId(first + i) }]),
  );
  const nameOf = new Map(input.customers.map((c, i) => [ids[i]!, c.name]));
  const withdrawn = input.customers.filter((c) => c.consent === false).map((c) => byName.get(c.name)!.id);
  await sql`delete from customer_consent where workspace_id = ${ws} and customer_id = any(${withdrawn}::bigint[])`.execute(
    db,
  );
  const start = new Date(input.inputs[0]!.at);
  if (start < clock.now())
    throw new Error(
      `replay: starts at ${jstIso(start)}, before the previous fixture ended (${jstIso(clock.now())}): the sandbox's clock cannot go back; move this fixture's dates later`,
    );
  clock = new SimulatedClock(start);
  const journey = await createJourney(
    db,
    ws,
    { name: 'ゴールデン', definition: input.definition },
    input.trackLinks ? PUBLIC_URL : undefined,
  );
  await transitionJourney(db, ws, journey.id, 'publish', clock.now());
  const context = {
    database: bed.database,
    secrets: bed.secrets,
    logger: pino({ level: 'silent' }),
    lineHosts: bed.lineHosts,
    clock,
  };

  const ticks: string[] = [];
  const step = async () => {
    ticks.push(jstIso(clock.now()));
    await tick(db, ws, clock.now(), undefined, input.trackLinks ? bed.secrets : undefined);
    const { rows } = await sql<{ id: number }>`select id from message_send where workspace_id = ${ws}
      and (status in ('queued', 'sending') or (status = 'paused' and resume_at <= ${clock.now()}))
      order by id`.execute(db);
    for (const { id } of rows) await deliverSend(context, ws, Number(id));
  };
  /** Ticks at every instant something is due, up to `limit` (inclusive when `inclusive`). */
  const runDue = async (limit: Date, inclusive: boolean) => {
    for (let i = 0; i < 1000; i++) {
      const { rows } = await sql<{ next: Date | null }>`select least(
          (select min(due_at) from journey_run where workspace_id = ${ws} and status = 'active'),
          (select min(resume_at) from message_send where workspace_id = ${ws} and status = 'paused')) as next`.execute(
        db,
      );
      const next = rows[0]!.next;
      if (!next || next > limit || (!inclusive && next.getTime() === limit.getTime())) return;
      clock.setTo(new Date(Math.max(next.getTime(), clock.now().getTime())));
      await step();
    }
    throw new Error('replay: still due after 1,000 ticks');
  };
  for (const e of input.inputs) {
    const at = new Date(e.at);
    await runDue(at, false);
    clock.setTo(at);
    const customer = byName.get(e.customer)!;
    if ('click' in e) await click(ws, customer.line, e.click, at);
    else
      await publishEvents(db, ws, [
        {
          type: e.event,
          customerId: customer.id,
          occurredAt: at,
          payload: { channelId: bed.channelId, lineUserId: customer.line, refollow: false },
        },
      ]);
    await step();
  }
  await runDue(new Date(input.until), true);
  return {
    sends: [...byName]
      .flatMap(([name, c]) =>
        bed.line.received(c.line).map((r) => ({
          at: jstIso(new Date(r.at)),
          customer: name,
          // A redirect token is signed with the workspace's random link key: shown without it.
          text: (r.messages[0] as { text: string }).text.replace(/\/r\/[A-Za-z0-9_.-]+/g, '/r/…'),
        })),
      )
      .sort((a, b) => a.at.localeCompare(b.at) || a.customer.localeCompare(b.customer)),
    steps: await stepsOf(ws, journey.id, nameOf),
    runs: (
      await sql<{ customer_id: number; exit_reason: string | null; exited_at: Date | null }>`
        select customer_id, exit_reason, exited_at from journey_run
        where workspace_id = ${ws} and journey_id = ${journey.id} order by customer_id, id`.execute(db)
    ).rows.map((r) => ({
      customer: nameOf.get(Number(r.customer_id))!,
      exit: r.exit_reason,
      exitedAt: r.exited_at && jstIso(r.exited_at),
    })),
    ticks,
  };
}

/**
 * Follows the tracked link of node `nodeId`'s message as the customer received it on LINE, at the
 * replay's instant: the redirect's own recordClick (the route passes its clock's now the same way).
 */
async function click(ws: string, line: string, nodeId: string, at: Date): Promise<void> {
  const tokens = bed.line
    .received(line)
    .flatMap((r) => [...JSON.stringify(r.messages).matchAll(/\/r\/([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!));
  const { rows } = await sql<{ id: number }>`select id from tracked_link
    where workspace_id = ${ws} and origin like ${`%/node:${nodeId}`}`.execute(bed.database.db);
  const links = new Set(rows.map((r) => Number(r.id)));
  const token = tokens.find((t) => links.has(readLinkToken(t)?.payload.linkId ?? -1));
  if (!token) throw new Error(`replay: no tracked link of ${nodeId} received by ${line}`);
  expect(await recordClick(bed.database.db, bed.secrets, token, at)).toMatch(/^https:\/\//);
}

/** Each step with its outcome and, for a send, what the messaging core decided for the customer. */
async function stepsOf(ws: string, journeyId: number, nameOf: Map<number, string>) {
  const { rows } = await sql<{
    customer_id: number;
    node_id: string;
    executed_at: Date;
    outcome: string;
    reason: string | null;
    delivery: string | null;
    delivery_reason: string | null;
  }>`
    select r.customer_id, s.node_id, s.executed_at, s.outcome, s.detail->>'reason' as reason,
      o.status as delivery, o.reason as delivery_reason
    from journey_step s
    join journey_run r on r.workspace_id = s.workspace_id and r.id = s.run_id
    left join message_outbox o on o.workspace_id = s.workspace_id and o.send_id = s.send_id
      and o.customer_id = r.customer_id
    where s.workspace_id = ${ws} and r.journey_id = ${journeyId}
    order by r.customer_id, s.step_no`.execute(bed.database.db);
  return rows.map((r) => ({
    customer: nameOf.get(Number(r.customer_id))!,
    node: r.node_id,
    executedAt: jstIso(r.executed_at),
    outcome: r.reason ? `${r.outcome}:${r.reason}` : r.outcome,
    // A queued outbox row is one its request delivered (the sends list shows what LINE received).
    ...(r.delivery
      ? { delivery: r.delivery === 'queued' ? 'sent' : `${r.delivery}:${r.delivery_reason}` }
      : {}),
  }));
}

// In the order of their first input: the sandbox reads one simulated clock, whose state (rate
// windows, retry keys) assumes time never goes back, so a replay must not start before the last
// one ended (replay() refuses it: a fixture that went back in time hung its deliveries).
const firstInput = (f: string) =>
  new Date((JSON.parse(readFileSync(join(GOLDEN, f), 'utf8')) as GoldenInput).inputs[0]!.at).getTime();
const fixtures = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.input.json'))
  .sort((a, b) => firstInput(a) - firstInput(b) || a.localeCompare(b));

describe('golden journey replays', () => {
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThan(0));
  for (const file of fixtures) {
    const name = file.replace(/\.input\.json$/, '');
    it(`${name} replays as recorded`, async () => {
      const input = JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as GoldenInput;
      const output = await replay(input);
      const expectedPath = join(GOLDEN, `${name}.expected.json`);
      if (UPDATE) writeFileSync(expectedPath, `${JSON.stringify(output, null, 2)}\n`);
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as GoldenOutput;
      expect(output).toEqual(expected);
    });
  }
});
