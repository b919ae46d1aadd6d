// A journey's coupon templates are checked when a version is saved (create and PUT definition):
// a grantCoupon action naming a template that is not this workspace's, or one that is inactive,
// is a 400 naming the node's JSON path and id; nothing is stored.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function couponTemplate(workspaceId: string, active: boolean): Promise<number> {
  const { rows } = await sql<{
    id: number;
  }>`insert into coupon_template (workspace_id, name, kind, value, active)
    values (${workspaceId}, '初回500円引き', 'amount_off', 500, ${active}) returning id`.execute(
    t.database.db,
  );
  return Number(rows[0]!.id);
}

const definition = (templateId: number) => ({
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'welcome', type: 'send', messages: [{ type: 'text', text: 'ようこそ' }], next: 'coupon' },
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId }, next: 'end' },
    { id: 'end', type: 'exit' },
  ],
});

const create = (templateId: number) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/journeys',
    headers: t.auth,
    payload: { name: 'クーポン付きウェルカム', definition: definition(templateId) },
  });

const journeyCount = async () =>
  (
    await sql<{
      n: number;
    }>`select count(*)::int as n from journey where workspace_id = ${t.workspace.workspaceId}`.execute(
      t.database.db,
    )
  ).rows[0]!.n;

describe('coupon templates named by a journey', () => {
  it('refuses a template that does not exist, or is another workspace’s, with 400 naming the node', async () => {
    const before = await journeyCount();
    const missing = await create(987_654);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toBe(
      'nodes[1].action.templateId: node "coupon": no coupon template 987654 in this workspace',
    );
    const other = await newWorkspace(t.database);
    const theirs = await couponTemplate(other.workspaceId, true);
    const foreign = await create(theirs);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.message).toBe(
      `nodes[1].action.templateId: node "coupon": no coupon template ${theirs} in this workspace`,
    );
    expect(await journeyCount()).toBe(before);
  });

  it('refuses an inactive template', async () => {
    const retired = await couponTemplate(t.workspace.workspaceId, false);
    const res = await create(retired);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      `nodes[1].action.templateId: node "coupon": coupon template ${retired} is inactive`,
    );
  });

  it('accepts an active template of the workspace, and checks again when a new version is saved', async () => {
    const ok = await create(await couponTemplate(t.workspace.workspaceId, true));
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().id as number;
    const edit = await t.app.inject({
      method: 'PUT',
      url: `/v1/journeys/${id}/definition`,
      headers: t.auth,
      payload: { definition: definition(987_655) },
    });
    expect(edit.statusCode).toBe(400);
    expect(edit.json().error.message).toBe(
      'nodes[1].action.templateId: node "coupon": no coupon template 987655 in this workspace',
    );
    const stored = await t.app.inject({ url: `/v1/journeys/${id}`, headers: t.auth });
    expect(stored.json().latestVersion).toBe(1);
  });
});
