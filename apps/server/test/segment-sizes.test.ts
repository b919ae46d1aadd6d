// GET /v1/segments/:id/sizes: a segment's size at the end of each JST day, from its spells of
// membership (open and closed), since the day it was made.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { newCustomer } from './loyalty-helpers.ts';

let t: TestApp;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** The JST calendar day `n` days before now, as the API spells it. */
function jstDay(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * DAY + 9 * 3_600_000).toISOString().slice(0, 10);
}

describe('segment sizes over time', () => {
  it('counts open and closed spells per JST day, from the creation day, scoped to the workspace', async () => {
    const ws = t.workspace.workspaceId;
    const [a, b, c, d] = [
      await newCustomer(t.database, ws, ['青木', '一']),
      await newCustomer(t.database, ws, ['青木', '二']),
      await newCustomer(t.database, ws, ['青木', '三']),
      await newCustomer(t.database, ws, ['青木', '四']),
    ];
    for (const id of [a, b, c])
      await sql`update customer set tags = array['sizes'] where id = ${id}`.execute(t.database.db);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: t.auth,
      payload: { name: 'サイズ推移', definition: { tag: 'sizes' } },
    });
    expect(created.statusCode).toBe(201);
    const segment = created.json();
    expect(segment.memberCount).toBe(3);
    // Test data: the segment was made five days ago; a and b have been members for three days, c
    // entered today; d was a member from four days ago until two days ago.
    const at = (n: number) => new Date(Date.now() - n * DAY);
    await sql`update segment set created_at = ${at(5)} where workspace_id = ${ws} and id = ${segment.id}`.execute(
      t.database.db,
    );
    await sql`update segment_member set entered_at = ${at(3)}
      where workspace_id = ${ws} and segment_id = ${segment.id} and customer_id in (${a}, ${b})`.execute(
      t.database.db,
    );
    await sql`insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at, entered_at)
      values (${ws}, ${segment.id}, ${d}, 'exited', ${at(2)}, ${at(4)})`.execute(t.database.db);

    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${segment.id}/sizes?days=30`,
      headers: t.auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { day: jstDay(5), members: 0 },
      { day: jstDay(4), members: 1 },
      { day: jstDay(3), members: 3 },
      { day: jstDay(2), members: 2 },
      { day: jstDay(1), members: 2 },
      { day: jstDay(0), members: 3 },
    ]);

    // A window shorter than the history starts with the size carried in from before it.
    const short = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${segment.id}/sizes?days=2`,
      headers: t.auth,
    });
    expect(short.json().items).toEqual([
      { day: jstDay(1), members: 2 },
      { day: jstDay(0), members: 3 },
    ]);

    // Another workspace cannot read it, and a bad `days` names the field.
    const other = await newWorkspace(t.database, '他店');
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${segment.id}/sizes`,
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(foreign.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${segment.id}/sizes?days=0`,
      headers: t.auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('days');
  });
});
