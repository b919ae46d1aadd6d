// A campaign end to end against the LINE sandbox: segment audience, 20% holdout, A/B variants,
// Liquid, click tracking, sent exactly once however often "send now" is pressed.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOBS } from '../src/campaigns/campaign-jobs.ts';
import { sendCampaignNow } from '../src/campaigns/campaign-lifecycle.ts';
import { getCampaign } from '../src/campaigns/campaign-view.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { assignAudience, inHoldout } from '../src/campaigns/experiment-buckets.ts';
import { campaignExperimentId, runCampaignSend } from '../src/campaigns/send-campaign.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { createSend } from '../src/line/sends.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
let ws: string;
let ids: number[];
let segmentId: number;

// The campaign job without its every-minute schedule: the test decides when anything runs.
const jobs = [...LINE_JOBS, ...CAMPAIGN_JOBS.map(({ schedule: _, ...job }) => job)];

beforeAll(async () => {
  bed = await createLineTestBed({}, jobs);
  ws = bed.workspace.workspaceId;
  ids = await makeFriends(bed.database.db, ws, 1, 200);
  await sql`update customer set tags = array['spring'], given_name = 'ゲスト' || id
    where workspace_id = ${ws} and id = any(${ids}::bigint[])`.execute(bed.database.db);
  const segment = await createSegment(
    bed.database.db,
    ws,
    { name: '春', definition: { tag: 'spring' } },
    { now: new Date() },
  );
  segmentId = segment.id;
});
afterAll(async () => bed?.close());

async function api(method: 'GET' | 'POST', url: string, payload?: object) {
  return bed.app.inject({ method, url, headers: bed.auth, ...(payload ? { payload } : {}) });
}

const campaignBody = () => ({
  name: '春のセール',
  channelId: bed.channelId,
  audience: { segmentId },
  holdoutPercent: 20,
  variants: [
    {
      key: 'A',
      weight: 1,
      messages: [
        { type: 'text', text: '{{ customer.given_name }}様 春のセール https://shop.example.jp/sale?x=1' },
      ],
    },
    { key: 'B', weight: 1, messages: [{ type: 'text', text: '春のセール開催中です' }] },
  ],
});

describe('a campaign to a segment with a 20% holdout and two variants', () => {
  it('never messages the holdout, messages everyone else exactly once, and keeps the split stable', async () => {
    const created = await api('POST', '/v1/campaigns', campaignBody());
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect(created.json()).toMatchObject({ status: 'draft', audience: { segmentId }, holdoutPercent: 20 });
    // "Send now" three times: one campaign send, one LINE send per variant.
    for (let i = 0; i < 3; i++) expect((await api('POST', `/v1/campaigns/${id}/send`)).statusCode).toBe(200);
    await until(
      async () => (await api('GET', `/v1/campaigns/${id}`)).json().status === 'sent',
      'campaign sent',
      { timeoutMs: 30_000 },
    );
    const campaign = (await api('GET', `/v1/campaigns/${id}`)).json();
    for (const v of campaign.variants)
      await until(
        async () => (await api('GET', `/v1/line/sends/${v.sendId}`)).json().status === 'done',
        `send ${v.key} done`,
        { timeoutMs: 30_000 },
      );

    const exp = campaignExperimentId(ws, id);
    const expectedHoldout = ids.filter((c) => inHoldout(exp, c, 20));
    // 20% of 200 by hash: not exactly 40, but near it (binomial sd ≈ 5.7).
    expect(expectedHoldout.length).toBeGreaterThan(20);
    expect(expectedHoldout.length).toBeLessThan(60);
    const { rows } = await sql<{ customer_id: number; variant_key: string | null; decision: string }>`
      select customer_id, variant_key, decision from campaign_recipient where workspace_id = ${ws} and campaign_id = ${id}
      order by customer_id`.execute(bed.database.db);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.decision === 'holdout').map((r) => Number(r.customer_id))).toEqual(
      expectedHoldout,
    );
    // The stored split is the hash's, whatever order the audience comes in.
    const recomputed = new Map(
      assignAudience(exp, [...ids].reverse(), 20, [
        { key: 'A', weight: 1 },
        { key: 'B', weight: 1 },
      ]).map((a) => [a.customerId, a.variantKey]),
    );
    for (const r of rows) expect(r.variant_key).toBe(recomputed.get(Number(r.customer_id)));

    for (const [n, customerId] of ids.entries()) {
      const got = bed.line.received(lineUserId(n + 1));
      expect(got, `customer ${customerId}`).toHaveLength(expectedHoldout.includes(customerId) ? 0 : 1);
    }
    expect(bed.line.stats().duplicateRecipients).toBe(0);
    const a = rows.find((r) => r.variant_key === 'A')!;
    const aText = (
      bed.line.received(lineUserId(ids.indexOf(Number(a.customer_id)) + 1))[0]!.messages[0] as {
        text: string;
      }
    ).text;
    expect(aText).toMatch(
      new RegExp(
        `^ゲスト${a.customer_id}様 春のセール http://localhost:3000/r/[A-Za-z0-9_-]{38}\\.[A-Za-z0-9_-]{22}$`,
      ),
    );
    const b = rows.find((r) => r.variant_key === 'B')!;
    expect(bed.line.received(lineUserId(ids.indexOf(Number(b.customer_id)) + 1))[0]).toMatchObject({
      via: 'multicast',
      messages: [{ text: '春のセール開催中です' }],
    });

    const held = await api('GET', `/v1/campaigns/${id}/recipients?decision=holdout&limit=1000`);
    expect(held.json().items.map((r: { customerId: number }) => r.customerId)).toEqual(expectedHoldout);
    expect(held.json().items[0]).toMatchObject({ variant: null, decision: 'holdout' });
    const page = (await api('GET', `/v1/campaigns/${id}/recipients?limit=150`)).json();
    const rest = (
      await api('GET', `/v1/campaigns/${id}/recipients?limit=150&cursor=${page.nextCursor}`)
    ).json();
    expect([...page.items, ...rest.items].map((r: { customerId: number }) => r.customerId)).toEqual(ids);
    expect(rest.nextCursor).toBeNull();

    // A retried job after the campaign is sent changes nothing.
    const before = bed.line.stats().requests;
    expect(
      await runCampaignSend(
        { db: bed.database.db, jobs: bed.jobs, secrets: bed.secrets, now: new Date() },
        ws,
        id,
      ),
    ).toBe(false);
    expect(bed.line.stats().requests).toEqual(before);

    const results = (await api('GET', `/v1/campaigns/${id}/results`)).json();
    const byGroup = Object.fromEntries(results.groups.map((g: { group: string }) => [g.group, g]));
    expect(byGroup.holdout.audience).toBe(expectedHoldout.length);
    expect(byGroup.A.delivered + byGroup.B.delivered).toBe(200 - expectedHoldout.length);
    expect(byGroup.all.delivered).toBe(200 - expectedHoldout.length);
    expect(byGroup.all.costYen).toBe(3 * (200 - expectedHoldout.length));
  });

  it('sends once when two workers run the same campaign side by side after a crash left its first send behind', async () => {
    const db = bed.database.db;
    const friends = await makeFriends(db, ws, 501, 30);
    const c = await createCampaign(
      db,
      ws,
      {
        name: '二重実行',
        channelId: bed.channelId,
        audience: { customerIds: friends },
        variants: [
          { key: 'A', messages: [{ type: 'text', text: '{{ customer.name | default: "お客" }}様へ' }] },
          { key: 'B', messages: [{ type: 'text', text: 'B案' }] },
        ],
      },
      { actor: 'test', linkBase: 'http://localhost:3000', now: new Date() },
    );
    await sendCampaignNow(db, undefined, ws, c.id, new Date());
    // A worker died after the messaging core accepted variant B's send but before it noted the id.
    const orphan = await createSend(db, bed.jobs, ws, {
      channelId: bed.channelId,
      idempotencyKey: `campaign:${c.id}:B`,
      messages: [{ type: 'text', text: 'B案' }],
      customerIds: [],
    });
    const ctx = { db, jobs: bed.jobs, secrets: bed.secrets, now: new Date() };
    const runs = await Promise.all([runCampaignSend(ctx, ws, c.id), runCampaignSend(ctx, ws, c.id)]);
    expect(runs).toContain(true);
    const after = await getCampaign(db, ws, c.id);
    expect(after.status).toBe('sent');
    expect(after.variants.find((v) => v.key === 'B')!.sendId).toBe(orphan.id);
    const sendA = after.variants.find((v) => v.key === 'A')!.sendId!;
    await until(
      async () => (await api('GET', `/v1/line/sends/${sendA}`)).json().status === 'done',
      'send A done',
      { timeoutMs: 30_000 },
    );
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from campaign_recipient where workspace_id = ${ws} and campaign_id = ${c.id}`.execute(
      db,
    );
    expect(rows[0]!.n).toBe(30);
    // Variant A's customers got exactly one message; B's orphan send had no recipients, so none.
    const a = await sql<{
      customer_id: number;
    }>`select customer_id from campaign_recipient where workspace_id = ${ws} and campaign_id = ${c.id} and variant_key = 'A'`.execute(
      db,
    );
    expect(a.rows.length).toBeGreaterThan(0);
    for (const r of a.rows)
      expect(bed.line.received(lineUserId(501 + friends.indexOf(Number(r.customer_id))))).toHaveLength(1);
    // Had a rerun made a second send for B instead of finding the first, B's customers would have one.
    const b = await sql<{
      customer_id: number;
    }>`select customer_id from campaign_recipient where workspace_id = ${ws} and campaign_id = ${c.id} and variant_key = 'B'`.execute(
      db,
    );
    expect(b.rows.length).toBeGreaterThan(0);
    for (const r of b.rows)
      expect(bed.line.received(lineUserId(501 + friends.indexOf(Number(r.customer_id))))).toHaveLength(0);
    expect(bed.line.stats().duplicateRecipients).toBe(0);
  });

  it('refuses a cancel or a new schedule once sent, and cancels a draft for good', async () => {
    const draft = (await api('POST', '/v1/campaigns', { ...campaignBody(), holdoutPercent: 0 })).json();
    const cancelled = await api('POST', `/v1/campaigns/${draft.id}/cancel`);
    expect(cancelled.json().status).toBe('cancelled');
    const send = await api('POST', `/v1/campaigns/${draft.id}/send`);
    expect(send.statusCode).toBe(409);
    expect(send.json().error.reason).toBe('invalid_transition');
    const list = (await api('GET', '/v1/campaigns?limit=1')).json();
    expect(list.items.map((c: { id: number }) => c.id)).toEqual([draft.id]);
    expect(list.nextCursor).toBe(String(draft.id));
  });

  it('names the field when the audience, variants or Liquid are wrong, and saves nothing', async () => {
    const bad = await api('POST', '/v1/campaigns', {
      ...campaignBody(),
      audience: { segmentId: 999_999 },
      variants: [
        { key: 'A', messages: [{ type: 'text', text: '{{ customer.nickname }}様' }] },
        { key: 'A', messages: [{ type: 'text', text: 'x' }] },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems).toEqual([
      { path: 'variants[1].key', message: 'variant A is repeated' },
      { path: 'audience.segmentId', message: 'no segment 999999 in this workspace' },
    ]);
    const liquid = await api('POST', '/v1/campaigns', {
      ...campaignBody(),
      variants: [{ key: 'A', messages: [{ type: 'text', text: 'こんにちは {{ customer.nickname }}様' }] }],
    });
    expect(liquid.statusCode).toBe(400);
    expect(liquid.json().error.problems).toEqual([
      {
        path: 'variants[0].messages[0].text',
        message: 'Liquid line 1, column 10: undefined variable: customer.nickname (synthetic customer 1)',
      },
    ]);
  });
});
