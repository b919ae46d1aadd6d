// The demo brand's step delivery and a past campaign: the friend-add welcome and birthday
// journeys live (the first start's follow enters the welcome journey), and a win-back campaign
// that went out 30 days before the anchor to lapsed LINE friends with a 20% holdout, so its
// results page shows conversions, revenue, lift over the holdout and the LINE cost from the start.
//
// The campaign's replies are made up, as all demo data is: messaged customers come back a little
// more often than the holdout (10–12% against 4% within the window). The lift the results page
// computes from them is real arithmetic on those orders.
import { sql } from 'kysely';
import { sendCampaignNow } from '../campaigns/campaign-lifecycle.ts';
import { createCampaign } from '../campaigns/create-campaign.ts';
import { runCampaignSend } from '../campaigns/send-campaign.ts';
import type { Database } from '../db/open-database.ts';
import { transact } from '../db/transact.ts';
import type { JourneyDefinition } from '../journeys/definition.ts';
import { createJourney, transitionJourney } from '../journeys/journeys.ts';
import { JOURNEY_TEMPLATES } from '../journeys/templates.ts';
import { createCouponTemplate } from '../loyalty/coupons.ts';
import { syncWorkspaceOrders } from '../loyalty/jobs.ts';
import type { OrderInput } from '../orders/order-schema.ts';
import { upsertOrders } from '../orders/upsert-orders.ts';
import type { SecretBox } from '../shared/secret-box.ts';

const DAY = 86_400_000;
const SENT_DAYS_AGO = 30;
const ATTRIBUTION_DAYS = 14;
/** Chance of an order in the window: holdout, variant A, variant B (the personalised one). */
const COME_BACK = { holdout: 0.04, A: 0.1, B: 0.12 } as const;

export interface DemoJourneysOutcome {
  journeys: number;
  campaignId: number;
  audience: number;
  holdout: number;
  replies: number;
}

/** Replaces a template's placeholder coupon (template id 1) with the workspace's. */
function withCoupon(definition: JourneyDefinition, couponTemplateId: number): JourneyDefinition {
  return JSON.parse(
    JSON.stringify(definition).replaceAll('"templateId":1', `"templateId":${couponTemplateId}`),
  ) as JourneyDefinition;
}

async function loadJourneys(database: Database, workspaceId: string, anchor: Date): Promise<number> {
  const { db } = database;
  const friendCoupon = await createCouponTemplate(db, workspaceId, {
    name: '友だち追加ありがとう 100円引きクーポン',
    description: 'LINEの友だち追加ありがとうございます。次回のお会計で100円引き。',
    kind: 'amount_off',
    value: 100,
    validDays: 14,
    perCustomerLimit: 1,
  });
  const welcome = JOURNEY_TEMPLATES.find((t) => t.id === 'friend_add_welcome')!;
  const birthday: JourneyDefinition = {
    // The birthday coupon itself is the loyalty rule's (granted by the daily loyalty job); the
    // journey sends the greeting on the morning of the day.
    trigger: { date: 'birthday', daysBefore: 0 },
    reentry: 'never',
    quietHours: 'hold',
    nodes: [
      { id: 'morning', type: 'wait', until: { dayOffset: 0, at: '10:00' }, next: 'greeting' },
      {
        id: 'greeting',
        type: 'send',
        messages: [
          {
            type: 'text',
            text: 'お誕生日おめでとうございます🎂 会員証にバースデークーポン（ドリンク1杯無料）をお届けしています。お誕生月のうちにぜひお立ち寄りください。',
          },
        ],
        next: 'end',
      },
      { id: 'end', type: 'exit' },
    ],
  };
  const journeys = [
    { name: welcome.name.ja, definition: withCoupon(welcome.definition, friendCoupon.id) },
    { name: 'お誕生日のごあいさつ', definition: birthday },
  ];
  for (const j of journeys) {
    const created = await createJourney(db, workspaceId, j);
    await transitionJourney(db, workspaceId, created.id, 'publish', anchor);
  }
  return journeys.length;
}

/** LINE friends whose last completed order was 180 days or more before the campaign went out. */
async function lapsedFriends(database: Database, workspaceId: string, sentAt: Date): Promise<number[]> {
  const { rows } = await sql<{ customer_id: string }>`
    select f.customer_id from line_friend f
    join lateral (select max(o.ordered_at) as last from customer_order o
      where o.workspace_id = f.workspace_id and o.customer_id = f.customer_id and o.status = 'completed'
        and o.ordered_at < ${sentAt}) o on true
    where f.workspace_id = ${workspaceId} and f.status = 'friend' and f.customer_id is not null
      and o.last < ${new Date(sentAt.getTime() - 180 * DAY)}
    order by f.customer_id limit 1500`.execute(database.db);
  return rows.map((r) => Number(r.customer_id));
}

/** Orders of the customers who came back within the window, more often when messaged. */
async function addReplies(
  database: Database,
  workspaceId: string,
  campaignId: number,
  sentAt: Date,
  random: () => number,
): Promise<number> {
  const { rows } = await sql<{ customer_id: string; decision: string; variant: string | null }>`
    select customer_id, decision, variant_key as variant from campaign_recipient
    where workspace_id = ${workspaceId} and campaign_id = ${campaignId} order by customer_id`.execute(
    database.db,
  );
  const items: { index: number; item: OrderInput }[] = [];
  for (const r of rows) {
    const chance =
      r.decision === 'holdout' ? COME_BACK.holdout : r.variant === 'B' ? COME_BACK.B : COME_BACK.A;
    if (random() >= chance) continue;
    const at = new Date(sentAt.getTime() + (0.3 + random() * (ATTRIBUTION_DAYS - 1)) * DAY);
    const price = 100 * Math.round(8 + random() * 30);
    items.push({
      index: items.length,
      item: {
        id: `WB-${campaignId}-${r.customer_id}`,
        customer: { id: Number(r.customer_id) },
        orderedAt: at.toISOString(),
        total: price,
        status: 'completed',
        lines: [{ sku: 'DRIP-BLEND', name: '本日のドリップコーヒー', quantity: 1, unitPrice: price }],
        source: 'pos',
      },
    });
  }
  const outcomes = await transact(database.db, (tx) => upsertOrders(tx, workspaceId, items));
  // Points for them, as the loyalty job would have given at the till.
  const ids = new Set(outcomes.map((o) => o.id));
  if (ids.size)
    await syncWorkspaceOrders(database.db, workspaceId, ids, {
      at: new Date(sentAt.getTime() + ATTRIBUTION_DAYS * DAY),
    });
  return items.length;
}

/**
 * Publishes the demo's journeys and sends the past win-back campaign (its LINE delivery waits in
 * the outbox for the first start, whose worker delivers it to the demo's LINE sandbox).
 */
export async function loadDemoJourneys(
  database: Database,
  workspaceId: string,
  channelId: string,
  context: { random: () => number; anchor: Date; secrets: SecretBox; publicUrl: string },
): Promise<DemoJourneysOutcome> {
  const { db } = database;
  const journeys = await loadJourneys(database, workspaceId, context.anchor);
  const sentAt = new Date(context.anchor.getTime() - SENT_DAYS_AGO * DAY);
  const audience = await lapsedFriends(database, workspaceId, sentAt);
  const campaign = await createCampaign(
    db,
    workspaceId,
    {
      name: '休眠のお客様へ おひさしぶりクーポン（A/Bテスト）',
      channelId,
      audience: { customerIds: audience },
      holdoutPercent: 20,
      attributionDays: ATTRIBUTION_DAYS,
      variants: [
        {
          key: 'A',
          weight: 1,
          messages: [
            {
              type: 'text',
              text: 'お久しぶりです。絆珈琲です☕ 季節のブレンドが揃いました。またのご来店をお待ちしております。',
            },
          ],
        },
        {
          key: 'B',
          weight: 1,
          messages: [
            {
              type: 'text',
              text: '{% if customer.family_name %}{{ customer.family_name }}様、{% endif %}お久しぶりです。絆珈琲です☕ いつものお席でお待ちしております。会員証のポイントは{{ customer.points }}ptです。',
            },
          ],
        },
      ],
    },
    { actor: 'demo', linkBase: context.publicUrl, now: sentAt },
  );
  await sendCampaignNow(db, undefined, workspaceId, campaign.id, sentAt);
  await runCampaignSend(
    { db, jobs: undefined, secrets: context.secrets, now: sentAt },
    workspaceId,
    campaign.id,
  );
  const replies = await addReplies(database, workspaceId, campaign.id, sentAt, context.random);
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from campaign_recipient
    where workspace_id = ${workspaceId} and campaign_id = ${campaign.id} and decision = 'holdout'`.execute(
    db,
  );
  return { journeys, campaignId: campaign.id, audience: audience.length, holdout: rows[0]?.n ?? 0, replies };
}
