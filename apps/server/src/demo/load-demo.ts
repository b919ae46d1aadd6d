import { sql } from 'kysely';
import { applyStatsDeltas } from '../analytics/customer-stats.ts';
import type { Gender } from '../customers/customer-tables.ts';
import type { Database } from '../db/open-database.ts';
import { transact } from '../db/transact.ts';
import type { OrderInput } from '../orders/order-schema.ts';
import { upsertOrders } from '../orders/upsert-orders.ts';
import { createSegment } from '../segments/segment-store.ts';
import { TEMPLATES } from '../segments/templates.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { type Store, upsertStore } from '../stores/stores.ts';
import { API_KEY_SCOPES, createApiKey } from '../workspaces/api-keys.ts';
import type { LoginHint } from '../workspaces/first-run.ts';
import { addMember, createWorkspace } from '../workspaces/workspaces.ts';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_WORKSPACE_NAME } from './demo-brand.ts';
import { loadDemoEmail } from './demo-email.ts';
import { loadDemoJourneys } from './demo-journeys.ts';
import { type DemoFriend, loadDemoLine } from './demo-line.ts';
import { loadDemoLoyalty } from './demo-loyalty.ts';
import { FAMILY_NAMES, FEMALE_NAMES, INTERESTS, MALE_NAMES, PREFECTURES } from './names.ts';
import { beta, gamma, pick, seededRandom, weighted } from './random.ts';

export { DEMO_EMAIL, DEMO_PASSWORD, DEMO_WORKSPACE_NAME };

const STORES = [
  { code: 'shibuya', name: '渋谷店', prefecture: '東京都' },
  { code: 'kichijoji', name: '吉祥寺店', prefecture: '東京都' },
  { code: 'yokohama', name: '横浜店', prefecture: '神奈川県' },
] as const;

const MENU = [
  { sku: 'BLEND', name: 'ブレンドコーヒー', price: 450, category: 'ドリンク' },
  { sku: 'LATTE', name: 'カフェラテ', price: 520, category: 'ドリンク' },
  { sku: 'MATCHA', name: '抹茶ラテ', price: 580, category: 'ドリンク' },
  { sku: 'CAKE', name: '季節のケーキ', price: 600, category: 'フード' },
  { sku: 'BEANS200', name: 'コーヒー豆 200g', price: 1800, category: 'コーヒー豆' },
  { sku: 'DRIP10', name: 'ドリップバッグ 10個', price: 1500, category: 'ドリップバッグ' },
] as const;

/** Baristas by store, as the till writes them on each visit. */
const STAFF = [
  ['佐藤', '高橋', '伊藤'],
  ['鈴木', '田中'],
  ['渡辺', '山本', '中村'],
] as const;

/** The monthly bean subscriptions (定期便), with the churn their customers show. */
const PLANS = [
  { plan: 'コーヒー豆定期便', sku: 'SUB-BEANS', price: 3000, share: 0.7, alpha: 1.1, beta: 5 },
  { plan: 'お試し定期便', sku: 'SUB-TRIAL', price: 1980, share: 0.3, alpha: 1.4, beta: 2.2 },
] as const;

/** Segments on what customers bought, besides the built-in templates. */
const PRODUCT_SEGMENTS = [
  {
    name: 'ドリップバッグ リピーター(90日で2回以上)',
    description: '過去90日にドリップバッグを2回以上購入したお客様。',
    definition: { purchased: { sku: 'DRIP10', window: { days: 90 } }, op: 'gte', value: 2 },
  },
  {
    name: 'ドリップは購入・豆は未購入(クロスセル)',
    description: 'ドリップバッグを買ったことがあり、コーヒー豆はまだ買っていないお客様。',
    definition: {
      and: [
        { purchased: { sku: 'DRIP10' }, op: 'gte', value: 1 },
        { purchased: { category: 'コーヒー豆' }, op: 'eq', value: 0 },
      ],
    },
  },
  {
    name: 'ケーキ好き(来店でケーキ3回以上)',
    description: '来店時に季節のケーキを3回以上注文したお客様。',
    definition: { visitMenu: { code: 'CAKE' }, op: 'gte', value: 3 },
  },
] as const;

const DAY = 86_400_000;

export interface DemoOptions {
  customers?: number;
  seed?: number;
  /** The demo's "today"; history runs two years back from it. Default: now. */
  anchor?: Date;
  log?: (message: string) => void;
  /** Seals the demo LINE channel's secrets; without it the demo has no LINE channel. */
  secrets?: SecretBox;
  /** The server's public URL, for the channel's webhook address. */
  publicUrl?: string;
}

interface DemoCustomer {
  row: Record<string, unknown>;
  displayName: string;
  lineUserId: string | null;
  lineBlocked: boolean;
  email: string | null;
  emailConsent: boolean;
  registeredAt: Date;
  storeIndex: number;
  rate: number;
  dropout: number;
}

function makeCustomer(random: () => number, n: number, anchor: Date): DemoCustomer {
  const gender: Gender = weighted(random, [
    ['female', 58],
    ['male', 38],
    ['other', 1],
    ['unanswered', 3],
  ] as const);
  const [family, familyKana] = pick(random, FAMILY_NAMES);
  const [given, givenKana] = pick(random, gender === 'male' ? MALE_NAMES : FEMALE_NAMES);
  const registeredAt = new Date(
    anchor.getTime() - Math.floor(random() * 730) * DAY - Math.floor(random() * 12) * 3_600_000,
  );
  const age = 18 + Math.floor(random() * 52);
  const birthday = new Date(
    Date.UTC(anchor.getUTCFullYear() - age, Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
  );
  const storeIndex = Math.floor(random() * STORES.length);
  const source = weighted(random, [
    ['line', 40],
    ['store', 30],
    ['instagram', 15],
    ['ec', 10],
    ['referral', 5],
  ] as const);
  const isFriend = source === 'line' || random() < 0.35;
  const hasEmail = source === 'ec' || random() < 0.5;
  const displayName = weighted(random, [
    [given, 4],
    [`${family}${given}`, 3],
    [givenKana, 2],
    [`${given}☕`, 1],
  ] as const);
  return {
    displayName,
    row: {
      family_name: family,
      given_name: given,
      family_name_kana: familyKana,
      given_name_kana: givenKana,
      birthday: birthday.toISOString().slice(0, 10),
      gender,
      prefecture: weighted(random, PREFECTURES),
      interests: INTERESTS.filter(() => random() < 0.25),
      registered_at: registeredAt,
      acquisition_source: source,
      tags: random() < 0.05 ? ['staff_pick'] : [],
    },
    lineUserId: isFriend ? `U${(0xd3e0000 + n).toString(16).padStart(32, '0')}` : null,
    lineBlocked: isFriend && random() < 0.08,
    email: hasEmail ? `demo${n}@example.jp` : null,
    emailConsent: hasEmail && random() < 0.7,
    registeredAt,
    storeIndex,
    // Purchases per day while active (mean about one visit every 3 weeks), and the chance of
    // lapsing after each purchase: BG/NBD-shaped histories for the CLV features.
    rate: gamma(random, 0.9) / 19,
    dropout: beta(random, 1, 7),
  };
}

/** The first of the month `months` after the given instant's month (UTC), at its time of day. */
function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/**
 * Bean subscriptions for about one customer in twelve: each starts in one of the last 18 months
 * and renews monthly until the subscriber cancels (a per-customer monthly churn drawn from a
 * beta distribution: the shifted-beta-geometric shape the subscription analytics fit).
 */
async function loadSubscriptions(
  database: Database,
  workspaceId: string,
  customerIds: readonly number[],
  random: () => number,
  anchor: Date,
): Promise<{ subscribers: number; orders: number }> {
  const items: { index: number; item: OrderInput }[] = [];
  let subscribers = 0;
  for (const customerId of customerIds) {
    if (random() >= 0.08) continue;
    subscribers++;
    const plan = random() < PLANS[0].share ? PLANS[0] : PLANS[1];
    const churn = beta(random, plan.alpha, plan.beta);
    const first = addMonths(anchor, -1 - Math.floor(random() * 18));
    first.setUTCDate(1 + Math.floor(random() * 28));
    for (let k = 0; ; k++) {
      const at = new Date(first);
      at.setUTCMonth(first.getUTCMonth() + k);
      if (at >= anchor) break;
      items.push({
        index: items.length,
        item: {
          id: `S${customerId}-${k + 1}`,
          customer: { id: customerId },
          orderedAt: at.toISOString(),
          total: plan.price,
          status: 'completed',
          lines: [{ sku: plan.sku, name: plan.plan, quantity: 1, unitPrice: plan.price }],
          source: 'ec',
          subscription: { id: `SUB-${customerId}`, plan: plan.plan, interval: 'month', sequence: k + 1 },
        },
      });
      if (random() < churn) break;
    }
  }
  await transact(database.db, async (tx) => {
    for (let o = 0; o < items.length; o += 1000)
      await upsertOrders(tx, workspaceId, items.slice(o, o + 1000));
  });
  return { subscribers, orders: items.length };
}

/** When a blocking friend blocked: a month after registering, or halfway to today if sooner. */
function blockedAt(c: DemoCustomer, anchor: Date): Date {
  const since = anchor.getTime() - c.registeredAt.getTime();
  return new Date(c.registeredAt.getTime() + Math.min(30 * DAY, Math.floor(since / 2)));
}

/** Purchase days of one customer from registration to the anchor. */
function purchaseTimes(random: () => number, c: DemoCustomer, anchor: Date): Date[] {
  const times = [c.registeredAt];
  let t = c.registeredAt.getTime();
  for (;;) {
    if (random() < c.dropout) break;
    t += (-Math.log(random() || 1e-12) / Math.max(c.rate, 1e-4)) * DAY;
    if (t >= anchor.getTime()) break;
    times.push(new Date(t));
  }
  return times;
}

/**
 * Loads the demo cafe chain: 3 stores, about 5,000 customers (some LINE friends, some blocked,
 * some with email consent) and two years of orders and visits. The same seed and anchor give
 * the same data. Loading again is a no-op that prints the login.
 */
export async function loadDemo(database: Database, options: DemoOptions = {}): Promise<LoginHint> {
  const { db } = database;
  const log = options.log ?? (() => undefined);
  const existing = await db
    .selectFrom('workspace')
    .select('id')
    .where('name', '=', DEMO_WORKSPACE_NAME)
    .executeTakeFirst();
  if (existing) return { email: DEMO_EMAIL, password: DEMO_PASSWORD, note: 'demo already loaded' };
  const random = seededRandom(options.seed ?? 20_260_401);
  const anchor = options.anchor ?? new Date();
  const count = options.customers ?? 5000;
  const started = Date.now();
  const { id: workspaceId } = await createWorkspace(db, DEMO_WORKSPACE_NAME);
  const { userId } = await addMember(db, {
    workspaceId,
    email: DEMO_EMAIL,
    password: DEMO_PASSWORD,
    role: 'owner',
    name: 'デモ オーナー',
  });
  const { token } = await createApiKey(db, {
    workspaceId,
    name: 'demo',
    scopes: [...API_KEY_SCOPES],
    createdBy: userId,
  });
  const stores: Store[] = [];
  for (const store of STORES) stores.push(await upsertStore(db, workspaceId, store));
  await db
    .insertInto('product')
    .values(
      MENU.map((m) => ({
        workspace_id: workspaceId,
        sku: m.sku,
        name: m.name,
        price: m.price,
        category: m.category,
      })),
    )
    .execute();

  const customers = Array.from({ length: count }, (_, n) => makeCustomer(random, n + 1, anchor));
  const CHUNK = 500;
  // Staff and subscriptions draw from their own stream, so the customers and their histories stay
  // the same for a seed whatever is added here.
  const side = seededRandom((options.seed ?? 20_260_401) + 1);
  const customerIds: number[] = [];
  let orders = 0;
  let visits = 0;
  const friends: DemoFriend[] = [];
  for (let start = 0; start < customers.length; start += CHUNK) {
    const chunk = customers.slice(start, start + CHUNK);
    await transact(db, async (tx) => {
      const ids = await tx
        .insertInto('customer')
        .values(
          chunk.map((c) => ({
            workspace_id: workspaceId,
            ...c.row,
            favorite_store_id: stores[c.storeIndex]!.id,
            attributes: '{}',
          })),
        )
        .returning('id')
        .execute();
      const identities = chunk.flatMap((c, i) =>
        [
          ...(c.lineUserId ? [{ kind: 'line' as const, value: c.lineUserId }] : []),
          ...(c.email ? [{ kind: 'email' as const, value: c.email }] : []),
        ].map((identity) => ({
          workspace_id: workspaceId,
          customer_id: ids[i]!.id,
          namespace: '',
          ...identity,
        })),
      );
      if (identities.length) await tx.insertInto('customer_identity').values(identities).execute();
      const consents = chunk.flatMap((c, i) =>
        [
          ...(c.lineUserId
            ? [
                {
                  channel: 'line' as const,
                  status: 'granted' as const,
                  source: 'line_follow',
                  at: c.registeredAt,
                },
              ]
            : []),
          ...(c.lineUserId && c.lineBlocked
            ? [
                {
                  channel: 'line' as const,
                  status: 'blocked' as const,
                  source: 'line_unfollow',
                  at: blockedAt(c, anchor),
                },
              ]
            : []),
          ...(c.emailConsent
            ? [
                {
                  channel: 'email' as const,
                  status: 'granted' as const,
                  source: 'membership_form',
                  at: c.registeredAt,
                },
              ]
            : []),
        ].map((k) => ({
          workspace_id: workspaceId,
          customer_id: ids[i]!.id,
          purpose: 'marketing' as const,
          channel: k.channel,
          status: k.status,
          source: k.source,
          occurred_at: k.at,
        })),
      );
      if (consents.length) {
        await tx.insertInto('consent_event').values(consents).execute();
        await sql`
          insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
          select distinct on (customer_id, channel, purpose) workspace_id, customer_id, channel, purpose, status, source, occurred_at
          from consent_event where workspace_id = ${workspaceId} and customer_id = any(${ids.map((r) => r.id)}::bigint[])
          order by customer_id, channel, purpose, occurred_at desc`.execute(tx);
      }
      customerIds.push(...ids.map((r) => r.id));
      for (const [i, c] of chunk.entries())
        if (c.lineUserId)
          friends.push({
            customerId: ids[i]!.id,
            lineUserId: c.lineUserId,
            displayName: c.displayName,
            blocked: c.lineBlocked,
            followedAt: c.registeredAt,
            blockedAt: c.lineBlocked ? blockedAt(c, anchor) : null,
          });
      const orderInputs: { index: number; item: OrderInput }[] = [];
      const visitRows = [];
      const visitLines = new Map<
        string,
        { sku: string; name: string; unitPrice: number; category: string }[]
      >();
      for (const [i, c] of chunk.entries()) {
        for (const [k, at] of purchaseTimes(random, c, anchor).entries()) {
          const storeIndex = random() < 0.75 ? c.storeIndex : Math.floor(random() * STORES.length);
          const items = [
            pick(random, MENU.slice(0, 3)),
            ...(random() < 0.35 ? [MENU[3]] : []),
            ...(random() < 0.08 ? [pick(random, MENU.slice(4))] : []),
          ];
          const lines = items.map((m) => ({ sku: m.sku, name: m.name, quantity: 1, unitPrice: m.price }));
          visitLines.set(
            `V${start + i + 1}-${k + 1}`,
            items.map((m) => ({ sku: m.sku, name: m.name, unitPrice: m.price, category: m.category })),
          );
          const total = lines.reduce((s, l) => s + l.unitPrice, 0);
          const status = random() < 0.01 ? 'refunded' : 'completed';
          orderInputs.push({
            index: orderInputs.length,
            item: {
              id: `D${start + i + 1}-${k + 1}`,
              customer: { id: ids[i]!.id },
              storeCode: STORES[storeIndex]!.code,
              orderedAt: at.toISOString(),
              total,
              status,
              lines,
              source: 'pos',
            },
          });
          visitRows.push({
            workspace_id: workspaceId,
            external_id: `V${start + i + 1}-${k + 1}`,
            customer_id: ids[i]!.id,
            store_id: stores[storeIndex]!.id,
            visited_at: at,
            source: 'pos',
            staff: pick(side, STAFF[storeIndex]!),
            spend: total,
            // Paid through the order above: its money counts once, as the order.
            order_external_id: `D${start + i + 1}-${k + 1}`,
          });
        }
      }
      for (let o = 0; o < orderInputs.length; o += 1000)
        await upsertOrders(tx, workspaceId, orderInputs.slice(o, o + 1000));
      for (let v = 0; v < visitRows.length; v += 1000) {
        const stored = await tx
          .insertInto('visit')
          .values(visitRows.slice(v, v + 1000))
          .returning(['id', 'external_id'])
          .execute();
        const menuItems = stored.flatMap((visit) =>
          (visitLines.get(visit.external_id) ?? []).map((m, n) => ({
            workspace_id: workspaceId,
            visit_id: visit.id,
            line_no: n + 1,
            name: m.name,
            code: m.sku,
            category: m.category,
            price: m.unitPrice,
            quantity: 1,
          })),
        );
        for (let m = 0; m < menuItems.length; m += 2000)
          await tx
            .insertInto('visit_menu_item')
            .values(menuItems.slice(m, m + 2000))
            .execute();
      }
      await applyStatsDeltas(
        tx,
        workspaceId,
        visitRows.map((v) => ({ customerId: v.customer_id, visits: 1, visitedAt: v.visited_at })),
      );
      orders += orderInputs.length;
      visits += visitRows.length;
    });
    // Fresh planner statistics as the tables grow (PGlite has no autovacuum to gather them).
    await sql`analyze`.execute(db);
    log(`demo: ${Math.min(start + CHUNK, count)}/${count} customers, ${orders} orders, ${visits} visits`);
  }
  log(`demo: customers, orders and visits in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const subscriptions = await loadSubscriptions(database, workspaceId, customerIds, side, anchor);
  log(
    `demo: ${subscriptions.subscribers} subscriptions (定期便), ${subscriptions.orders} subscription orders`,
  );
  // The status segments shops run coupons on, from the built-in templates, and a few on products.
  for (const template of TEMPLATES)
    await createSegment(database.db, workspaceId, { template: template.key }, { actor: 'demo', now: anchor });
  for (const segment of PRODUCT_SEGMENTS)
    await createSegment(database.db, workspaceId, segment, { actor: 'demo', now: anchor });
  log(`demo: ${TEMPLATES.length + PRODUCT_SEGMENTS.length} segments`);
  const loyalty = await loadDemoLoyalty(database, workspaceId, random, anchor, log);
  log(
    `demo: loyalty: ${loyalty.members} members, ${loyalty.pointsEarned} points earned, ` +
      `${loyalty.redemptions} redemptions, ${loyalty.couponsGranted} coupons (${loyalty.couponsRedeemed} used)`,
  );
  if (options.secrets) {
    const publicUrl = options.publicUrl ?? 'http://localhost:3000';
    const channelId = await loadDemoLine(database, options.secrets, publicUrl, workspaceId, friends);
    log(
      `demo: LINE channel with ${friends.length} friends (${friends.filter((f) => f.blocked).length} blocked)`,
    );
    const steps = await loadDemoJourneys(database, workspaceId, channelId, {
      random,
      anchor,
      secrets: options.secrets,
      publicUrl,
    });
    log(
      `demo: ${steps.journeys} live journeys; a win-back campaign 30 days ago to ${steps.audience} lapsed friends ` +
        `(${steps.holdout} held out), ${steps.replies} came back`,
    );
    await loadDemoEmail(database, options.secrets, workspaceId, anchor);
    log('demo: email sender 絆珈琲 <news@kizuna-coffee.example> with a newsletter and an order thank-you');
  }
  log(`demo: loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, apiKey: token };
}
