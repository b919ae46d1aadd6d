// Results on the business clock: a scheduled campaign sends at its instant, a click goes through
// the redirect, orders in and out of the attribution window (and after a later campaign's touch)
// are or are not conversions, and the lift figures on a constructed dataset are the hand-checked ones.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOBS } from '../src/campaigns/campaign-jobs.ts';
import { dueCampaigns, scheduleCampaign } from '../src/campaigns/campaign-lifecycle.ts';
import { campaignResults } from '../src/campaigns/campaign-results.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { yenPerMessage } from '../src/campaigns/line-plan.ts';
import { runCampaignSend } from '../src/campaigns/send-campaign.ts';
import { recordClick } from '../src/clicks/record-click.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { addCustomer, addOrder } from './campaigns-fixture.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
let ws: string;
const DAY = 86_400_000;
const jobs = [...LINE_JOBS, ...CAMPAIGN_JOBS.map(({ schedule: _, ...job }) => job)];

beforeAll(async () => {
  bed = await createLineTestBed({}, jobs);
  ws = bed.workspace.workspaceId;
});
afterAll(async () => bed?.close());

const at = (ms: number) => new Date(ms).toISOString();

describe('campaign results on a simulated clock', () => {
  it('sends at the scheduled JST instant, records a click and counts an order in the window as a conversion', async () => {
    const db = bed.database.db;
    const clock = new SimulatedClock(new Date('2027-01-10T09:00:00+09:00'));
    // 40 friends: the holdout (30%, by a hash of the campaign and customer ids, which differ from run
    // to run on PostgreSQL) needs two members for a lift; with 20 it got one in about 1 run in 130.
    const ids = await makeFriends(db, ws, 3001, 40);
    const c = await createCampaign(
      db,
      ws,
      {
        name: '新春クーポン',
        channelId: bed.channelId,
        audience: { customerIds: ids },
        holdoutPercent: 30,
        variants: [
          {
            key: 'A',
            messages: [
              {
                type: 'template',
                altText: '新春',
                template: {
                  type: 'buttons',
                  text: '新春セール',
                  actions: [{ type: 'uri', label: '見る', uri: 'https://shop.example.jp/new-year' }],
                },
              },
            ],
          },
        ],
      },
      { actor: 'test', linkBase: 'https://kizuna.example.jp/', now: clock.now() },
    );
    await scheduleCampaign(db, ws, c.id, new Date('2027-01-10T10:00:00+09:00'), clock.now());
    expect(await dueCampaigns(db, clock.now())).toEqual([]);
    clock.advanceBy(3_600_000);
    expect(await dueCampaigns(db, clock.now())).toEqual([{ workspaceId: ws, id: c.id }]);
    const ctx = { db, jobs: bed.jobs, secrets: bed.secrets, now: clock.now() };
    expect(await runCampaignSend(ctx, ws, c.id)).toBe(true);
    const sent = await campaignResults(db, ws, c.id);
    expect(sent.sentAt).toBe('2027-01-10T01:00:00.000Z');
    const sentMs = Date.parse(sent.sentAt!);

    const { rows } = await sql<{
      customer_id: number;
      decision: string;
    }>`select customer_id, decision from campaign_recipient
      where workspace_id = ${ws} and campaign_id = ${c.id} order by customer_id`.execute(db);
    const treated = rows.filter((r) => r.decision === 'send').map((r) => Number(r.customer_id));
    const held = rows.filter((r) => r.decision === 'holdout').map((r) => Number(r.customer_id));
    expect(held.length).toBeGreaterThan(1);
    expect(treated.length).toBeGreaterThan(3);
    await until(
      async () => (await campaignResults(db, ws, c.id)).groups[0]!.delivered === treated.length,
      'delivered',
      { timeoutMs: 30_000 },
    );

    // The first treated customer follows the button's link.
    const message = bed.line.received(lineUserId(3001 + ids.indexOf(treated[0]!)))[0]!.messages[0] as {
      template: { actions: { uri: string }[] };
    };
    const link = new URL(message.template.actions[0]!.uri);
    expect(link.origin).toBe('https://kizuna.example.jp');
    const redirect = await bed.app.inject({ url: link.pathname });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('https://shop.example.jp/new-year');
    clock.advanceBy(DAY / 2);
    expect(await recordClick(db, bed.secrets, link.pathname.slice(3), clock.now())).toBe(
      'https://shop.example.jp/new-year',
    );
    const clicks = await sql<{
      clicked_at: Date;
    }>`select clicked_at from link_click where workspace_id = ${ws} order by clicked_at desc`.execute(db);
    expect(clicks.rows[0]!.clicked_at.toISOString()).toBe('2027-01-10T13:00:00.000Z');
    // A forged signature or a token from nowhere is a 404, and records nothing.
    const forged = link.pathname.replace(/\.[A-Za-z0-9_-]{22}$/, '.AAAAAAAAAAAAAAAAAAAAAA');
    expect((await bed.app.inject({ url: forged })).statusCode).toBe(404);
    expect((await bed.app.inject({ url: '/r/not-a-token-at-all' })).statusCode).toBe(404);

    const [t1, t2, t3, t4] = treated as [number, number, number, number];
    await addOrder(db, ws, t1, at(sentMs + 2 * DAY), ['X'], { amount: 3000 }); // converted
    await addOrder(db, ws, t2, at(sentMs + 10 * DAY), ['X'], { amount: 5000 }); // after the 7-day window
    await addOrder(db, ws, t3, at(sentMs - 3_600_000), ['X'], { amount: 7000 }); // before the send
    await addOrder(db, ws, held[0]!, at(sentMs + 3 * DAY), ['X'], { amount: 1000 }); // holdout converts too
    // t4 is messaged by a later campaign a day after, then buys: last touch gives it to that one.
    const later = await sql<{
      id: number;
    }>`insert into campaign (workspace_id, name, channel_id, customer_ids, status, link_base, sent_at, created_at, updated_at)
      values (${ws}, '後続', ${bed.channelId}, array[${t4}]::bigint[], 'sent', 'https://kizuna.example.jp', ${at(sentMs + DAY)}, now(), now()) returning id`.execute(
      db,
    );
    await sql`insert into campaign_recipient (workspace_id, campaign_id, customer_id, bucket, variant_key, decision)
      values (${ws}, ${later.rows[0]!.id}, ${t4}, 5000, 'A', 'send')`.execute(db);
    await addOrder(db, ws, t4, at(sentMs + 2 * DAY), ['X'], { amount: 9000 });

    const plan = await bed.app.inject({
      method: 'PUT',
      url: '/v1/campaigns/line-plan',
      headers: bed.auth,
      payload: { plan: 'custom', monthlyFeeYen: 15000, freeMessages: 30000, yenPerAdditionalMessage: 2.5 },
    });
    expect(plan.statusCode).toBe(200);
    const results = await bed.app.inject({ url: `/v1/campaigns/${c.id}/results`, headers: bed.auth });
    const [a, h] = results.json().groups;
    expect(a).toMatchObject({
      group: 'A',
      audience: treated.length,
      delivered: treated.length,
      clicked: 1,
      converted: 1,
      revenue: 3000,
      billedMessages: treated.length,
      costYen: Math.round(2.5 * treated.length),
    });
    expect(h).toMatchObject({
      group: 'holdout',
      audience: held.length,
      delivered: 0,
      converted: 1,
      revenue: 1000,
      lift: null,
    });
    expect(a.lift.conversionRate.estimate).toBeCloseTo(1 / treated.length - 1 / held.length, 12);
    expect(a.revenueLiftPerYen).toBeCloseTo(
      ((3000 / treated.length - 1000 / held.length) * treated.length) / (2.5 * treated.length),
      12,
    );
  });

  it('gives the lift on a constructed dataset with Newcombe and Welch intervals (scipy 1.17 and a hand Wilson computation; ±1e-3)', async () => {
    const db = bed.database.db;
    const treated: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < 10; i++) treated.push(await addCustomer(db, ws));
    for (let i = 0; i < 10; i++) held.push(await addCustomer(db, ws));
    const sentAt = '2027-02-01T01:00:00.000Z';
    const c = await sql<{
      id: number;
    }>`insert into campaign (workspace_id, name, channel_id, customer_ids, holdout_percent, status, link_base, sent_at, created_at, updated_at)
      values (${ws}, '構成データ', ${bed.channelId}, ${[...treated, ...held]}::bigint[], 50, 'sent', 'https://kizuna.example.jp', ${sentAt}, now(), now()) returning id`.execute(
      db,
    );
    const id = Number(c.rows[0]!.id);
    await sql`insert into campaign_variant (workspace_id, campaign_id, key, weight, messages) values (${ws}, ${id}, 'A', 1, '[]')`.execute(
      db,
    );
    await sql`insert into campaign_recipient (workspace_id, campaign_id, customer_id, bucket, variant_key, decision)
      select ${ws}::uuid, ${id}::bigint, t, 9000, 'A', 'send' from unnest(${treated}::bigint[]) t
      union all select ${ws}::uuid, ${id}::bigint, h, 100, null, 'holdout' from unnest(${held}::bigint[]) h`.execute(
      db,
    );
    // Treated: 4 of 10 buy (1,000 to 4,000 yen); holdout: 1 of 10 buys (1,000 yen).
    for (const [i, amount] of [1000, 2000, 3000, 4000].entries())
      await addOrder(db, ws, treated[i]!, '2027-02-02T01:00:00.000Z', ['X'], { amount });
    await addOrder(db, ws, held[0]!, '2027-02-03T01:00:00.000Z', ['X'], { amount: 1000 });
    const r = await campaignResults(db, ws, id);
    const a = r.groups.find((g) => g.group === 'A')!;
    expect(a).toMatchObject({
      audience: 10,
      converted: 4,
      revenue: 10000,
      conversionRate: 0.4,
      revenuePerCustomer: 1000,
    });
    expect(a.lift!.conversionRate.estimate).toBeCloseTo(0.3, 10);
    expect(a.lift!.conversionRate.lower).toBeCloseTo(-0.08242, 3);
    expect(a.lift!.conversionRate.upper).toBeCloseTo(0.59883, 3);
    expect(a.lift!.revenuePerCustomer.estimate).toBeCloseTo(900, 6);
    expect(a.lift!.revenuePerCustomer.lower).toBeCloseTo(-176.578, 2);
    expect(a.lift!.revenuePerCustomer.upper).toBeCloseTo(1976.578, 2);
  });

  it('prices messages from the LINE plan: named plans take their defaults, a custom one needs every figure', async () => {
    const put = (payload: object) =>
      bed.app.inject({ method: 'PUT', url: '/v1/campaigns/line-plan', headers: bed.auth, payload });
    const custom = await put({ plan: 'custom', monthlyFeeYen: 1000 });
    expect(custom.statusCode).toBe(400);
    expect(custom.json().error.problems).toEqual([
      { path: 'freeMessages', message: 'is required for a custom plan' },
      { path: 'yenPerAdditionalMessage', message: 'is required for a custom plan' },
    ]);
    // ライトプラン: ¥5,000 for 5,000 messages and no additional ones: a message costs ¥1.
    expect((await put({ plan: 'light' })).json()).toEqual({
      plan: 'light',
      monthlyFeeYen: 5000,
      freeMessages: 5000,
      yenPerAdditionalMessage: null,
      configured: true,
    });
    const read = await bed.app.inject({ url: '/v1/campaigns/line-plan', headers: bed.auth });
    expect(read.json().plan).toBe('light');
    expect(yenPerMessage(read.json())).toBe(1);
    expect(
      yenPerMessage({
        plan: 'standard',
        monthlyFeeYen: 15000,
        freeMessages: 30000,
        yenPerAdditionalMessage: 3,
      }),
    ).toBe(3);
  });

  it('lets a viewer read results but not create or send', async () => {
    const key = await createApiKey(bed.database.db, { workspaceId: ws, name: 'viewer', scopes: ['read'] });
    const headers = { authorization: `Bearer ${key.token}` };
    expect((await bed.app.inject({ url: '/v1/campaigns', headers })).statusCode).toBe(200);
    const create = await bed.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers,
      payload: {
        name: 'x',
        channelId: bed.channelId,
        audience: { customerIds: [1] },
        variants: [{ key: 'A', messages: [{ type: 'text', text: 'x' }] }],
      },
    });
    expect(create.statusCode).toBe(403);
  });
});
