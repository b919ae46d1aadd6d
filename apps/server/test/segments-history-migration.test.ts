// Migration 0007 (membership history as one log): an installation's spells and outbox from
// before it become exit events that carry their spell's start, without losing a spell, and
// deleting a segment or its workspace still removes its members and events.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../src/db/migrate.ts';
import type { Database } from '../src/db/open-database.ts';
import { createTestDatabase, newWorkspace, TEST_DATABASE_URL } from './helpers.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await database?.close();
});

const at = (day: number) => new Date(Date.UTC(2026, 5, day, 3));

describe(`membership history migration (${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('turns spells into exit events with their start, keeps every spell, and cleans up on delete', async () => {
    await migrate(
      database,
      listMigrations().filter((m) => m.version <= 6),
    );
    const db = database.db;
    const { workspaceId: ws } = await newWorkspace(database, '移行店');
    const { rows: customers } = await sql<{ id: number }>`insert into customer (workspace_id, family_name)
      values (${ws}, '一'), (${ws}, '二') returning id`.execute(db);
    const [a, b] = customers.map((c) => Number(c.id)) as [number, number];
    const { rows: segments } = await sql<{ id: number }>`insert into segment (workspace_id, name, definition)
      values (${ws}, 'emitting', '{"tag":"x"}'), (${ws}, 'silent', '{"tag":"y"}') returning id`.execute(db);
    const [emitting, silent] = segments.map((s) => Number(s.id)) as [number, number];
    // emitting: a entered on day 1 (first evaluation, no event), left on day 2, came back on day 3
    // (still a member); b entered on day 2 and left on day 4.
    // silent: b entered on day 1 and left on day 2, never evaluated in full (no events at all).
    await sql`insert into segment_membership (workspace_id, segment_id, customer_id, entered_at, exited_at) values
      (${ws}, ${emitting}, ${a}, ${at(1)}, ${at(2)}),
      (${ws}, ${emitting}, ${a}, ${at(3)}, null),
      (${ws}, ${emitting}, ${b}, ${at(2)}, ${at(4)}),
      (${ws}, ${silent}, ${b}, ${at(1)}, ${at(2)})`.execute(db);
    await sql`insert into segment_member (workspace_id, segment_id, customer_id, entered_at) values
      (${ws}, ${emitting}, ${a}, ${at(3)})`.execute(db);
    await sql`insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at) values
      (${ws}, ${emitting}, ${a}, 'exited', ${at(2)}),
      (${ws}, ${emitting}, ${b}, 'entered', ${at(2)}),
      (${ws}, ${emitting}, ${a}, 'entered', ${at(3)}),
      (${ws}, ${emitting}, ${b}, 'exited', ${at(4)})`.execute(db);

    const { applied } = await migrate(database);
    expect(applied).toContain(7);

    const { rows: log } = await sql<{
      segment_id: number;
      customer_id: number;
      kind: string;
      occurred_at: Date;
      entered_at: Date | null;
    }>`select segment_id, customer_id, kind, occurred_at, entered_at from segment_membership_event
      where workspace_id = ${ws} order by id`.execute(db);
    expect(
      log.map((e) => [Number(e.segment_id), Number(e.customer_id), e.kind, e.occurred_at, e.entered_at]),
    ).toEqual([
      [emitting, a, 'exited', at(2), at(1)],
      [emitting, b, 'entered', at(2), null],
      [emitting, a, 'entered', at(3), null],
      [emitting, b, 'exited', at(4), at(2)],
      [silent, b, 'exited', at(2), at(1)],
    ]);
    const { rows: spells } = await sql<{
      segment_id: number;
      customer_id: number;
      entered_at: Date;
      exited_at: Date | null;
    }>`select segment_id, customer_id, entered_at, exited_at from segment_membership
      where workspace_id = ${ws} order by segment_id, customer_id, entered_at`.execute(db);
    expect(
      spells.map((h) => [Number(h.segment_id), Number(h.customer_id), h.entered_at, h.exited_at]),
    ).toEqual([
      [emitting, a, at(1), at(2)],
      [emitting, a, at(3), null],
      [emitting, b, at(2), at(4)],
      [silent, b, at(1), at(2)],
    ]);
    // An exit without the start of its spell is refused from now on.
    await expect(
      sql`insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at)
        values (${ws}, ${emitting}, ${a}, 'exited', now())`.execute(db),
    ).rejects.toThrow(/segment_membership_event_exit_entered/);

    const remaining = async () => {
      const { rows } = await sql<{ members: number; events: number }>`select
          (select count(*) from segment_member where workspace_id = ${ws})::int as members,
          (select count(*) from segment_membership_event where workspace_id = ${ws})::int as events`.execute(
        db,
      );
      return rows[0];
    };
    // Deleting a segment takes its events with it; deleting the workspace, everything else.
    await sql`delete from segment where workspace_id = ${ws} and id = ${silent}`.execute(db);
    expect(await remaining()).toEqual({ members: 1, events: 4 });
    await sql`delete from workspace where id = ${ws}`.execute(db);
    expect(await remaining()).toEqual({ members: 0, events: 0 });
  });
});
