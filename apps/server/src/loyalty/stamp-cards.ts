// Stamp cards: N stamps to a card; rewards (coupon grants) at the goal and at midpoints; a
// completed card starts a new one, carrying over surplus stamps. "One stamp to go" and
// "completed" are recorded as events for journeys.

import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { jstDay } from '../shared/japan-time.ts';
import { grantCouponOrSkip } from './coupon-grant-skips.ts';
import { assertCouponTemplatesExist } from './coupon-template-refs.ts';
import { lockMember } from './members.ts';

export interface StampReward {
  at: number;
  couponTemplateId: number;
}

export interface StampCardTemplateInput {
  name: string;
  stampsRequired: number;
  stampPer?: 'visit' | 'order';
  minOrderTotal?: number;
  maxPerDay?: number;
  rewards?: StampReward[];
}

export interface StampCardTemplate {
  id: number;
  name: string;
  stamps_required: number;
  stamp_per: 'visit' | 'order';
  min_order_total: number;
  max_per_day: number | null;
  rewards: StampReward[];
  active: boolean;
}

/** Every reward is reached on the card: between 1 and the stamps it needs. */
export function checkStampRewards(rewards: readonly StampReward[], stampsRequired: number): void {
  for (const [i, reward] of rewards.entries())
    if (reward.at < 1 || reward.at > stampsRequired)
      throw invalid([
        { path: `rewards[${i}].at`, message: `must be between 1 and stampsRequired (${stampsRequired})` },
      ]);
}

export async function createStampCardTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  input: StampCardTemplateInput,
): Promise<StampCardTemplate> {
  checkStampRewards(input.rewards ?? [], input.stampsRequired);
  await assertCouponTemplatesExist(
    db,
    workspaceId,
    (input.rewards ?? []).map((r, i) => ({ path: `rewards[${i}].couponTemplateId`, id: r.couponTemplateId })),
  );
  const { rows } = await sql<StampCardTemplate>`
    insert into stamp_card_template (workspace_id, name, stamps_required, stamp_per, min_order_total, max_per_day, rewards)
    values (${workspaceId}, ${input.name}, ${input.stampsRequired}, ${input.stampPer ?? 'visit'}, ${input.minOrderTotal ?? 0},
      ${input.maxPerDay ?? null}, ${JSON.stringify(input.rewards ?? [])}::jsonb)
    returning *`.execute(db);
  return rows[0]!;
}

export async function listStampCardTemplates(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
): Promise<StampCardTemplate[]> {
  const { rows } =
    await sql<StampCardTemplate>`select * from stamp_card_template where workspace_id = ${workspaceId} order by id`.execute(
      db,
    );
  return rows;
}

export interface StampResult {
  templateId: number;
  cardId: number;
  added: number;
  stamps: number;
  required: number;
  completedCards: number;
  grantedCoupons: string[];
  /** Set when fewer stamps were added than asked: the daily limit. */
  limited: boolean;
  replayed: boolean;
}

export interface AddStampsInput {
  templateId: number;
  customerId: number;
  stamps?: number;
  source: string;
  actor: string;
  idempotencyKey?: string;
  at?: Date;
  /**
   * Stamps carried over from a merged-away customer's card (source 'merge'). They are not new
   * stamps, so neither the template's active flag nor the daily limit applies (nor do they count
   * towards it), and the rewards at or below `rewardedUpTo` on the current card are skipped: the
   * merged card already earned those, and a coupon is granted once per reward step.
   */
  carried?: { rewardedUpTo: number };
}

async function activeCard(
  tx: Transaction<DB>,
  workspaceId: string,
  templateId: number,
  customerId: number,
  at: Date,
): Promise<{ id: number; stamps: number }> {
  // One round trip: the new card if there was none, else the existing one (the member lock
  // the caller holds means no one else can be creating it meanwhile).
  const { rows } = await sql<{ id: number; stamps: number }>`
    with ins as (
      insert into stamp_card (workspace_id, template_id, customer_id, started_at)
      values (${workspaceId}, ${templateId}, ${customerId}, ${at})
      on conflict (workspace_id, template_id, customer_id) where status = 'active' do nothing
      returning id, stamps)
    select id, stamps from ins
    union all
    select id, stamps from stamp_card where workspace_id = ${workspaceId} and template_id = ${templateId}
      and customer_id = ${customerId} and status = 'active'
    limit 1`.execute(tx);
  return rows[0]!;
}

/** Adds stamps to the customer's active card; the caller holds the member lock. */
export async function addStampsInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  input: AddStampsInput,
  /** The template when the caller has just read it (saves a query per order). */
  loaded?: StampCardTemplate,
): Promise<StampResult> {
  const at = input.at ?? new Date();
  const template =
    loaded ??
    (
      await sql<StampCardTemplate>`select * from stamp_card_template where workspace_id = ${workspaceId} and id = ${input.templateId}`.execute(
        tx,
      )
    ).rows[0];
  if (!template) throw notFound(`stamp card ${input.templateId}`);
  if (!template.active && !input.carried)
    throw new DomainError('conflict', `stamp card ${input.templateId} is not active`);
  const card = await activeCard(tx, workspaceId, template.id, input.customerId, at);
  const base = {
    templateId: template.id,
    required: template.stamps_required,
    grantedCoupons: [] as string[],
    completedCards: 0,
  };
  if (input.idempotencyKey) {
    const seen =
      await sql`select 1 from stamp_entry where workspace_id = ${workspaceId} and template_id = ${template.id}
      and idempotency_key = ${input.idempotencyKey}`.execute(tx);
    if (seen.rows.length)
      return { ...base, cardId: card.id, added: 0, stamps: card.stamps, limited: false, replayed: true };
  }
  const day = jstDay(at);
  let wanted = input.stamps ?? 1;
  let limited = false;
  if (template.max_per_day && !input.carried) {
    const { rows } = await sql<{
      n: number;
    }>`select coalesce(sum(stamps), 0)::int as n from stamp_entry where workspace_id = ${workspaceId}
      and template_id = ${template.id} and customer_id = ${input.customerId} and stamped_on = ${day}
      and source <> 'merge'`.execute(tx);
    const allowed = Math.max(0, template.max_per_day - rows[0]!.n);
    if (allowed < wanted) [wanted, limited] = [allowed, true];
  }
  if (wanted === 0)
    return { ...base, cardId: card.id, added: 0, stamps: card.stamps, limited, replayed: false };
  await sql`insert into stamp_entry (workspace_id, card_id, template_id, customer_id, stamps, stamped_on, source, idempotency_key, actor)
    values (${workspaceId}, ${card.id}, ${template.id}, ${input.customerId}, ${wanted}, ${day}, ${input.source},
      ${input.idempotencyKey ?? null}, ${input.actor})`.execute(tx);
  let current = card;
  const result = { ...base };
  for (let i = 0; i < wanted; i++) {
    const stamps = current.stamps + 1;
    current = { ...current, stamps };
    await sql`update stamp_card set stamps = ${stamps} where workspace_id = ${workspaceId} and id = ${current.id}`.execute(
      tx,
    );
    const alreadyRewarded = current.id === card.id ? (input.carried?.rewardedUpTo ?? 0) : 0;
    for (const reward of template.rewards.filter((r) => r.at === stamps && r.at > alreadyRewarded)) {
      const { granted } = await grantCouponOrSkip(tx, workspaceId, {
        templateId: reward.couponTemplateId,
        customerId: input.customerId,
        source: `stamp_card:${template.id}`,
        grantKey: `stamp_card:${current.id}:${stamps}`,
        actor: input.actor,
        at,
      });
      if (granted) result.grantedCoupons.push(granted.code);
    }
    if (stamps === template.stamps_required - 1)
      await appendDomainEvents(tx, workspaceId, [
        {
          type: 'loyalty.stamp_card_one_to_go',
          customerId: input.customerId,
          occurredAt: at,
          dedupeKey: `loyalty:stamp_card_one_to_go:card:${current.id}`,
          payload: {
            cardId: current.id,
            templateId: template.id,
            name: template.name,
            stamps,
            required: template.stamps_required,
          },
        },
      ]);
    if (stamps >= template.stamps_required) {
      await sql`update stamp_card set status = 'completed', completed_at = ${at} where workspace_id = ${workspaceId} and id = ${current.id}`.execute(
        tx,
      );
      await appendDomainEvents(tx, workspaceId, [
        {
          type: 'loyalty.stamp_card_completed',
          customerId: input.customerId,
          occurredAt: at,
          dedupeKey: `loyalty:stamp_card_completed:card:${current.id}`,
          payload: {
            cardId: current.id,
            templateId: template.id,
            name: template.name,
            required: template.stamps_required,
          },
        },
      ]);
      result.completedCards++;
      current = await activeCard(tx, workspaceId, template.id, input.customerId, at);
    }
  }
  return { ...result, cardId: current.id, added: wanted, stamps: current.stamps, limited, replayed: false };
}

export async function addStamps(
  db: Kysely<DB>,
  workspaceId: string,
  input: AddStampsInput,
): Promise<StampResult> {
  return transact(db, async (tx) => {
    await lockMember(tx, workspaceId, input.customerId);
    return addStampsInTx(tx, workspaceId, input);
  });
}

export async function activeStampCards(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  customerId: number,
) {
  const { rows } = await sql<{ template_id: number; name: string; stamps: number; required: number }>`
    select t.id as template_id, t.name, coalesce(c.stamps, 0)::int as stamps, t.stamps_required as required
    from stamp_card_template t left join stamp_card c on c.workspace_id = t.workspace_id and c.template_id = t.id
      and c.customer_id = ${customerId} and c.status = 'active'
    where t.workspace_id = ${workspaceId} and t.active order by t.id`.execute(db);
  return rows;
}
