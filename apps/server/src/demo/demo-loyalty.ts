// The demo brand's loyalty programme, built through loyalty's own functions: rules with tiers and
// status coupons, a stamp card, the points every demo order earned (the order job's batch sync),
// and some of those points and coupons spent at the till, so that every loyalty screen has data.
import { sql } from 'kysely';
import type { Database } from '../db/open-database.ts';
import { createCouponTemplate, grantCoupon } from '../loyalty/coupons.ts';
import { syncWorkspaceOrders } from '../loyalty/jobs.ts';
import { redeemPoints } from '../loyalty/points-ledger.ts';
import { redeemCoupon } from '../loyalty/redeem-coupon.ts';
import { saveRules } from '../loyalty/rules.ts';
import { createStampCardTemplate } from '../loyalty/stamp-cards.ts';

const ACTOR = 'demo';
const DAY = 86_400_000;

export interface DemoLoyaltyOutcome {
  members: number;
  pointsEarned: number;
  redemptions: number;
  couponsGranted: number;
  couponsRedeemed: number;
}

/**
 * Sets up the programme and runs the demo's history through it. `random` is the demo's seeded
 * generator, `anchor` its "today".
 */
export async function loadDemoLoyalty(
  database: Database,
  workspaceId: string,
  random: () => number,
  anchor: Date,
  log: (message: string) => void = () => undefined,
): Promise<DemoLoyaltyOutcome> {
  const { db } = database;
  const step = stepTimer(log);
  const birthday = await createCouponTemplate(db, workspaceId, {
    name: 'お誕生日おめでとうクーポン ドリンク1杯無料',
    description: 'お誕生月にお好きなドリンクを1杯サービスします。',
    kind: 'free_item',
    freeItem: 'お好きなドリンク1杯',
    validDays: 31,
    perCustomerLimit: 1,
  });
  const winBack = await createCouponTemplate(db, workspaceId, {
    name: 'おひさしぶりクーポン 300円引き',
    description: 'しばらくご来店のないお客様へ。500円以上のお会計で使えます。',
    kind: 'amount_off',
    value: 300,
    minSpend: 500,
    validDays: 30,
  });
  const welcome = await createCouponTemplate(db, workspaceId, {
    name: '2回目のご来店で使える10%OFFクーポン',
    description: '初めてご来店いただいたお客様へ。',
    kind: 'percent_off',
    value: 10,
    validDays: 60,
    perCustomerLimit: 1,
  });
  const stampReward = await createCouponTemplate(db, workspaceId, {
    name: 'スタンプ10個達成 ケーキ1個無料',
    kind: 'free_item',
    freeItem: '季節のケーキ',
    validDays: 90,
  });
  const goldWelcome = await createCouponTemplate(db, workspaceId, {
    name: 'ゴールド会員ご招待 コーヒー豆200g 20%OFF',
    kind: 'percent_off',
    value: 20,
    validDays: 60,
  });
  const goldCake = await createCouponTemplate(db, workspaceId, {
    name: 'ゴールド会員限定 季節のケーキ無料',
    kind: 'free_item',
    freeItem: '季節のケーキ',
    validDays: 90,
    perCustomerLimit: 1,
    tierCodes: ['gold'],
  });
  const nextPurchase = await createCouponTemplate(db, workspaceId, {
    name: '次回使える 100円引きクーポン',
    description: 'コーヒー豆・ドリップバッグをお買い上げのお客様へ。次回のお会計から使えます。',
    kind: 'amount_off',
    value: 100,
    validDays: 30,
  });
  await saveRules(
    db,
    workspaceId,
    {
      pointsPerYen: 0.01,
      lotValidityMonths: 12,
      tiers: [
        {
          code: 'regular',
          name: 'レギュラー',
          threshold: 0,
          multiplier: 1,
          perks: [{ nameJa: 'お誕生月にドリンク1杯無料', nameEn: 'A free drink in your birthday month' }],
        },
        {
          code: 'silver',
          name: 'シルバー',
          threshold: 15000,
          multiplier: 1.5,
          perks: [
            { nameJa: 'ポイント1.5倍', nameEn: '1.5× points' },
            { nameJa: 'お誕生月にドリンク1杯無料', nameEn: 'A free drink in your birthday month' },
          ],
        },
        {
          code: 'gold',
          name: 'ゴールド',
          threshold: 40000,
          multiplier: 2,
          couponTemplateId: goldWelcome.id,
          perks: [
            { nameJa: 'ポイント2倍', nameEn: 'Double points' },
            { nameJa: '新豆の先行予約', nameEn: 'Early orders of new beans' },
            {
              nameJa: 'ゴールド会員限定 季節のケーキ無料',
              nameEn: 'A free seasonal cake (Gold only)',
              couponTemplateId: goldCake.id,
            },
          ],
        },
      ],
      nextPurchaseCoupons: [{ couponTemplateId: nextPurchase.id, sku: 'BEANS200' }],
      nextPurchaseMaxOrderAgeDays: 60,
      statusGrants: [
        { trigger: 'birthday', couponTemplateId: birthday.id },
        { trigger: 'lapsed', couponTemplateId: winBack.id },
        { trigger: 'first_visit', couponTemplateId: welcome.id },
      ],
    },
    ACTOR,
  );

  // The demo's orders through the same batch sync the loyalty-orders job runs: those of the last
  // 12 months earn points (older ones would have expired) and move tiers. The stamp card starts a
  // month ago, as if the shop had introduced it then, and the last month's orders stamp it (a
  // stamp costs several statements per order, so two years of stamps would slow the load).
  const syncSince = async (days: number) => {
    const { rows } = await sql<{ id: string }>`
      select id from customer_order where workspace_id = ${workspaceId}
        and ordered_at > ${new Date(anchor.getTime() - days * DAY)} order by id`.execute(db);
    const { failed, outcomes } = await syncWorkspaceOrders(
      db,
      workspaceId,
      new Set(rows.map((r) => Number(r.id))),
    );
    if (failed.size)
      throw new Error(`demo: ${failed.size} orders failed to sync: ${String([...failed.values()][0])}`);
    return outcomes;
  };
  const pointsEarned = (await syncSince(365)).reduce((s, o) => s + o.earned, 0);
  step('points for orders');
  await createStampCardTemplate(db, workspaceId, {
    name: 'コーヒースタンプカード',
    stampsRequired: 10,
    stampPer: 'order',
    minOrderTotal: 400,
    maxPerDay: 1,
    rewards: [{ at: 10, couponTemplateId: stampReward.id }],
  });
  await syncSince(30);
  step('stamps for the last month');

  // Status coupons (birthday, lapsed, first visit) are granted by the loyalty-daily job, which
  // `kizuna start --demo` runs in the background right after loading (thousands of grants).

  // A few members spent points at the till, and some coupons were used.
  const { rows: members } = await sql<{ customer_id: string; balance: number }>`
    select customer_id, balance from loyalty_member where workspace_id = ${workspaceId} and balance >= 100
    order by customer_id`.execute(db);
  let redemptions = 0;
  for (const m of members) {
    if (random() >= 0.3) continue;
    const points = Math.min(m.balance, 100 * (1 + Math.floor(random() * 3)));
    await redeemPoints(db, workspaceId, {
      customerId: Number(m.customer_id),
      points,
      actor: ACTOR,
      idempotencyKey: `demo:redeem:${m.customer_id}`,
      reason: 'お会計でポイント利用',
      storeCode: 'shibuya',
    });
    redemptions++;
  }
  step('point redemptions');
  const { rows: coupons } = await sql<{ code: string; kind: string }>`
    select c.code, t.kind from coupon c join coupon_template t on t.workspace_id = c.workspace_id and t.id = c.template_id
    where c.workspace_id = ${workspaceId} and c.status = 'active' order by c.id`.execute(db);
  let couponsRedeemed = 0;
  for (const c of coupons) {
    if (random() >= 0.4) continue;
    await redeemCoupon(db, workspaceId, {
      code: c.code,
      actor: ACTOR,
      storeCode: 'shibuya',
      orderTotal: 1200,
      idempotencyKey: `demo:coupon:${c.code}`,
    });
    couponsRedeemed++;
  }
  step('coupon redemptions');
  // A coupon handed out by staff a few weeks ago, still unused.
  const { rows: regulars } = await sql<{ customer_id: string }>`
    select customer_id from loyalty_member where workspace_id = ${workspaceId} and tier_code = 'gold'
    order by customer_id limit 20`.execute(db);
  for (const r of regulars)
    await grantCoupon(db, workspaceId, {
      templateId: winBack.id,
      customerId: Number(r.customer_id),
      source: 'staff',
      actor: ACTOR,
      grantKey: `demo:staff:${r.customer_id}`,
      at: new Date(anchor.getTime() - 14 * DAY),
    });
  const { rows: counts } = await sql<{ members: string; granted: string }>`
    select (select count(*) from loyalty_member where workspace_id = ${workspaceId}) as members,
      (select count(*) from coupon where workspace_id = ${workspaceId}) as granted`.execute(db);
  return {
    members: Number(counts[0]!.members),
    pointsEarned,
    redemptions,
    couponsGranted: Number(counts[0]!.granted),
    couponsRedeemed,
  };
}

function stepTimer(log: (message: string) => void) {
  let last = Date.now();
  return (what: string) => {
    const now = Date.now();
    log(`demo: loyalty: ${what} in ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
}
