// Shared pieces of the journey tests: publishing a journey through the API, one engine "tick"
// (the trigger consumer, then the engine) at a simulated instant, and appending domain events
// the way their publishers do.

import { until } from '@kizuna/test-support';
import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { appendDomainEvents } from '../src/domain-events/append.ts';
import type { DomainEventInput } from '../src/domain-events/event-map.ts';
import type { Jobs } from '../src/jobs/job-types.ts';
import { advanceJourneys } from '../src/journeys/advance.ts';
import { consumeJourneyTriggers } from '../src/journeys/consume-triggers.ts';
import type { SecretBox } from '../src/shared/secret-box.ts';
import type { TestApp } from './helpers.ts';

/** Per test, in the journey test files that read domain events (see eventsReadable). */
export const JOURNEY_TEST_TIMEOUT = 300_000;

/** Creates and publishes a journey through the API; returns its id. */
export async function publishJourney(
  t: TestApp,
  definition: unknown,
  name = 'テスト ジャーニー',
): Promise<number> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/journeys',
    headers: t.auth,
    payload: { name, definition },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as number;
  const published = await t.app.inject({
    method: 'POST',
    url: `/v1/journeys/${id}/publish`,
    headers: t.auth,
  });
  expect(published.statusCode, published.body).toBe(200);
  return id;
}

/**
 * Waits until every event of the workspace is readable. The domain event reader holds back the
 * events of transactions younger than the oldest one still running anywhere on the server, in
 * any database (see domain-events/README.md): on a PostgreSQL shared with other runs, one of their
 * long transactions (a 30 s import) holds ours back until it ends. JOURNEY_TEST_TIMEOUT gives the
 * journey test files room for that.
 */
export async function eventsReadable(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await until(
    async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from domain_event
        where workspace_id = ${workspaceId} and xid >= pg_snapshot_xmin(pg_current_snapshot())`.execute(db);
      return rows[0]!.n === 0;
    },
    'domain events readable',
    { timeoutMs: 150_000 },
  );
}

/**
 * The trigger consumer (once every event is readable) and then the engine, at `now` (with
 * `secrets`, links in sends are tracked as the journey job does).
 */
export async function tick(
  db: Kysely<DB>,
  workspaceId: string,
  now: Date,
  jobs?: Jobs,
  secrets?: SecretBox,
): Promise<{ entered: number; exited: number; steps: number }> {
  await eventsReadable(db, workspaceId);
  const consumed = await consumeJourneyTriggers(db, workspaceId, { now });
  const advanced = await advanceJourneys(db, workspaceId, { now, jobs, secrets });
  return { entered: consumed.entered, exited: consumed.exited, steps: advanced.steps };
}

/** Appends events in their own transaction, as a publisher's change would. */
export async function publishEvents(
  db: Kysely<DB>,
  workspaceId: string,
  events: DomainEventInput[],
): Promise<void> {
  await db.transaction().execute((tx) => appendDomainEvents(tx, workspaceId, events));
}

export interface RunRow {
  id: number;
  customer_id: number;
  version: number;
  run_key: string;
  node_id: string;
  status: string;
  due_at: Date | null;
  exit_reason: string | null;
}

/** The journey's runs, oldest first. */
export async function runsOf(db: Kysely<DB>, workspaceId: string, journeyId: number): Promise<RunRow[]> {
  const rows = await db
    .selectFrom('journey_run')
    .select(['id', 'customer_id', 'version', 'run_key', 'node_id', 'status', 'due_at', 'exit_reason'])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), customer_id: Number(r.customer_id) }));
}

/** The (node, outcome) of each step of a run, in order. */
export async function stepsOf(db: Kysely<DB>, workspaceId: string, runId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('journey_step')
    .select(['node_id', 'outcome'])
    .where('workspace_id', '=', workspaceId)
    .where('run_id', '=', runId)
    .orderBy('step_no')
    .execute();
  return rows.map((r) => `${r.node_id}:${r.outcome}`);
}

export const text = (t: string) => ({ type: 'text', text: t });

/** A JST wall-clock instant. */
export const jst = (local: string) => new Date(`${local}+09:00`);
