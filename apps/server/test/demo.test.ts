// The demo brand has every feature in use: segments with members, a loyalty programme with points
// earned and spent, stamps and coupons (some used), and a LINE channel whose friends, blocks and
// message history are read back through the public API. The LINE part runs as `kizuna start
// --demo` runs it: a sandbox in the process, a campaign through the messaging core and friends'
// messages through signed webhooks.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLine, playDemoLineDay, startDemoLine } from '../src/demo/demo-line.ts';
import { DEMO_WORKSPACE_NAME, loadDemo } from '../src/demo/load-demo.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { TEMPLATES } from '../src/segments/templates.ts';
import { createTestApp, type TestApp } from './helpers.ts';
import { SANDBOX_HOSTS } from './line-setup.ts';

let t: TestApp;
let line: DemoLine | undefined;
let workspaceId: string;
let auth: { authorization: string };

beforeAll(async () => {
  t = await createTestApp({ jobs: LINE_JOBS, lineHosts: SANDBOX_HOSTS });
  const login = await loadDemo(t.database, { customers: 300, anchor: new Date(), secrets: t.secrets });
  if (!login.apiKey) throw new Error('the demo did not make an API key');
  auth = { authorization: `Bearer ${login.apiKey}` };
  workspaceId = (
    await t.database.db
      .selectFrom('workspace')
      .select('id')
      .where('name', '=', DEMO_WORKSPACE_NAME)
      .executeTakeFirstOrThrow()
  ).id;
}, 240_000);
afterAll(async () => {
  await line?.close();
  await t?.close();
});

async function get(url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('the demo brand', () => {
  it('has every built-in segment, with members', async () => {
    const { items } = await get('/v1/segments');
    const templates = items.map((s: { template: string | null }) => s.template).filter(Boolean);
    expect(templates.sort()).toEqual(TEMPLATES.map((x) => x.key).sort());
    const regulars = items.find((s: { template: string }) => s.template === 'regulars');
    expect(regulars.memberCount).toBeGreaterThan(10);
  });

  it('has a loyalty programme in use: points earned and spent, stamps, coupons granted and used, tiers with perks', async () => {
    const { rows } = await t.database.db
      .selectFrom('point_entry')
      .select(['kind'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .groupBy('kind')
      .execute()
      .then((r) => ({ rows: r }));
    const byKind = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    expect(byKind.earn).toBeGreaterThan(100);
    expect(byKind.redeem).toBeGreaterThan(0);
    const coupons = await t.database.db
      .selectFrom('coupon')
      .select('status')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .groupBy('status')
      .execute();
    const couponsBy = Object.fromEntries(coupons.map((r) => [r.status, Number(r.n)]));
    expect(couponsBy.active).toBeGreaterThan(0);
    expect(couponsBy.redeemed).toBeGreaterThan(0);
    const stamps = await t.database.db
      .selectFrom('stamp_entry')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    expect(Number(stamps.n)).toBeGreaterThan(0);
    // A member's page through the API: balance, tier and its perks.
    const member = await t.database.db
      .selectFrom('loyalty_member')
      .select('customer_id')
      .where('workspace_id', '=', workspaceId)
      .where('balance', '>', 0)
      .orderBy('customer_id')
      .executeTakeFirstOrThrow();
    const summary = await get(`/v1/customers/${member.customer_id}/summary`);
    expect(summary.loyalty.points).toBeGreaterThan(0);
    expect(summary.loyalty.tier.perks.length).toBeGreaterThan(0);
  });

  it('has live journeys and a win-back campaign sent 30 days ago with a holdout, whose results show the lift', async () => {
    const journeys = await get('/v1/journeys');
    const live = journeys.items.filter((j: { status: string }) => j.status === 'live');
    expect(live.map((j: { name: string }) => j.name).sort()).toEqual([
      'お誕生日のごあいさつ',
      '友だち追加ウェルカム',
    ]);
    const campaigns = await get('/v1/campaigns');
    const winBack = campaigns.items.find((c: { name: string }) => c.name.startsWith('休眠のお客様へ'));
    expect(winBack.status).toBe('sent');
    const results = await get(`/v1/campaigns/${winBack.id}/results`);
    const group = (g: string) => results.groups.find((x: { group: string }) => x.group === g);
    // The 20% holdout was never messaged; everyone else was handed to LINE.
    expect(group('holdout').audience).toBeGreaterThan(0);
    expect(group('holdout').sent).toBe(0);
    expect(group('all').sent).toBe(group('A').sent + group('B').sent);
    expect(group('all').audience + group('holdout').audience).toBeGreaterThan(20);
    // The replies made up for the demo count as conversions inside the 14-day window.
    expect(group('all').converted + group('holdout').converted).toBeGreaterThan(0);
    expect(group('all').lift).not.toBeNull();
    const sentDaysAgo = (Date.now() - Date.parse(results.sentAt)) / 86_400_000;
    expect(Math.round(sentDaysAgo)).toBe(30);
  });

  it('has visits with menu and staff, product segments and bean subscriptions', async () => {
    const visits = await get('/v1/visits?limit=5');
    expect(visits.items[0].menuItems.length).toBeGreaterThan(0);
    expect(visits.items[0].staff).toEqual(expect.any(String));
    expect(visits.items[0].spend).toBeGreaterThan(0);
    const { items } = await get('/v1/segments');
    const crossSell = items.find((s: { name: string }) => s.name.startsWith('ドリップは購入'));
    expect(crossSell.definition).toMatchObject({ and: expect.any(Array) });
    const cake = items.find((s: { name: string }) => s.name.startsWith('ケーキ好き'));
    expect(cake.memberCount).toBeGreaterThan(0);
    const { plans } = await get('/v1/analytics/subscriptions');
    const beans = plans.find((p: { plan: string }) => p.plan === 'コーヒー豆定期便');
    expect(beans.subscribers).toBeGreaterThan(5);
  });

  it('has an email sender and two templates, and the newsletter previews for a customer with their name', async () => {
    const sender = await get('/v1/email/sender');
    expect(sender).toMatchObject({ fromName: '絆珈琲', fromAddress: 'news@kizuna-coffee.example' });
    expect(sender.postalAddress).toContain('東京都渋谷区');
    expect(
      sender.dnsRecords.some((r: { name: string }) => r.name === 'kizuna1._domainkey.kizuna-coffee.example'),
    ).toBe(true);
    const { items } = await get('/v1/email/templates');
    const byName = new Map(items.map((x: { name: string; kind: string; id: number }) => [x.name, x]));
    expect(byName.get('絆珈琲 メルマガ（月刊）')).toMatchObject({ kind: 'marketing' });
    expect(byName.get('ご注文ありがとうございます')).toMatchObject({ kind: 'transactional' });
    const customer = await t.database.db
      .selectFrom('customer as c')
      .innerJoin('customer_identity as i', (j) =>
        j
          .onRef('i.workspace_id', '=', 'c.workspace_id')
          .onRef('i.customer_id', '=', 'c.id')
          .on('i.kind', '=', 'email'),
      )
      .select(['c.id', 'c.given_name', 'c.family_name'])
      .where('c.workspace_id', '=', workspaceId)
      .where('c.given_name', 'is not', null)
      .orderBy('c.id')
      .executeTakeFirstOrThrow();
    const newsletter = byName.get('絆珈琲 メルマガ（月刊）') as { id: number };
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/email/templates/${newsletter.id}/preview`,
      headers: auth,
      payload: { customerId: customer.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json();
    expect(preview.subject).toBe(`【絆珈琲】${customer.given_name}様へ、今月のおすすめ`);
    expect(preview.html).toContain(`${customer.family_name} ${customer.given_name}様、いつも絆珈琲を`);
    expect(preview.text).toContain('住所 / Address: 〒150-0041 東京都渋谷区神南1-2-3');
    expect(preview.html).toMatch(/<p>・[^<]+<\/p>/);
  });

  it('has a LINE channel with friends and blocks, and message history made through the sandbox', async () => {
    line = await startDemoLine(t.database, t.secrets, 'http://localhost:3000', workspaceId, SANDBOX_HOSTS);
    if (!line) throw new Error('the demo has no LINE channel');
    const appUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    line.connect(appUrl);
    const following = await get('/v1/line/friends?status=following&limit=200');
    const blocked = await get('/v1/line/friends?status=blocked&limit=200');
    expect(following.items.length).toBeGreaterThan(50);
    expect(blocked.items.length).toBeGreaterThan(0);

    const sendId = await playDemoLineDay(
      line,
      (request) => t.app.inject({ ...request, headers: auth }),
      t.database,
      workspaceId,
    );
    const send = await until(
      async () => {
        const s = await get(`/v1/line/sends/${sendId}`);
        return s.status === 'done' ? s : undefined;
      },
      'the demo campaign delivered',
      { timeoutMs: 60_000 },
    );
    expect(send.counts.sent).toBeGreaterThan(0);
    // What reached a regular on LINE is the campaign's text.
    const regular = await get(`/v1/line/sends/${sendId}/messages?limit=1`);
    expect(regular.nextCursor).toBe(String(regular.items[0].seq));
    const second = await get(`/v1/line/sends/${sendId}/messages?limit=1&cursor=${regular.nextCursor}`);
    expect(second.items[0].seq).toBeGreaterThan(regular.items[0].seq);
    expect(line.sandbox.received(regular.items[0].lineUserId)[0]).toMatchObject({
      messages: [{ type: 'text', text: expect.stringContaining('秋ブレンド') }],
    });
    const messages = await until(
      async () => {
        const page = await get('/v1/events?type=custom:line.message&limit=50');
        return page.items.length >= 5 ? page.items : undefined;
      },
      "the friends' messages recorded",
      { timeoutMs: 60_000 },
    );
    expect(messages.map((e: { properties: { text?: string } }) => e.properties.text)).toContain(
      '駐車場はありますか',
    );
    const newcomer = await until(
      async () => {
        const page = await get('/v1/line/friends?status=following&limit=5');
        return page.items.find((f: { displayName: string | null }) => f.displayName === 'みさき');
      },
      'the new friend recorded',
      { timeoutMs: 60_000 },
    );
    expect(newcomer.source).toBe('line_follow');
  }, 180_000);
});
