// Editing coupon templates and stamp cards after they were made. A coupon reads its discount
// (kind, value, free item, minimum spend), its stores and its tiers from its template when it is
// used, so once a template has issued coupons those terms are fixed: changing them would change
// coupons customers already hold. The name, description, the validity of coupons granted from now
// on, the limits and the active flag stay editable. Likewise a stamp card's goal and rewards are
// fixed once a customer has started one (their card would change under them).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError, type FieldProblem, invalid, notFound } from '../shared/domain-error.ts';
import { assertCouponTemplatesExist } from './coupon-template-refs.ts';
import { type CouponTemplate, checkCouponTerms } from './coupons.ts';
import { checkStampRewards, type StampCardTemplate, type StampReward } from './stamp-cards.ts';

type Maybe<T> = T | null | undefined;

export interface CouponTemplatePatch {
  name?: string;
  description?: string;
  active?: boolean;
  validFrom?: string | null;
  validUntil?: string | null;
  validDays?: number | null;
  perCustomerLimit?: number | null;
  totalLimit?: number | null;
  kind?: CouponTemplate['kind'];
  value?: number;
  freeItem?: string | null;
  minSpend?: number;
  storeCodes?: string[];
  tierCodes?: string[];
}

/** The fields fixed once coupons were issued, with their columns. */
const COUPON_TERMS = [
  ['kind', 'kind'],
  ['value', 'value'],
  ['freeItem', 'free_item'],
  ['minSpend', 'min_spend'],
  ['storeCodes', 'store_codes'],
  ['tierCodes', 'tier_codes'],
] as const;

const COUPON_OTHERS = [
  ['name', 'name'],
  ['description', 'description'],
  ['active', 'active'],
  ['validFrom', 'valid_from'],
  ['validUntil', 'valid_until'],
  ['validDays', 'valid_days'],
  ['perCustomerLimit', 'per_customer_limit'],
  ['totalLimit', 'total_limit'],
] as const;

/** Equal as stored: arrays compared element by element, rewards by their stamp and coupon. */
function same(stored: unknown, wanted: unknown): boolean {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map((x) =>
          x && typeof x === 'object' && 'at' in x && 'couponTemplateId' in x
            ? [Number(x.at), Number(x.couponTemplateId)]
            : x,
        )
      : v;
  return JSON.stringify(norm(stored)) === JSON.stringify(norm(wanted));
}

function lockedProblems(changed: string[], what: string): FieldProblem[] {
  return changed.map((path) => ({ path, message: `cannot change: ${what}; make a new one instead` }));
}

export async function updateCouponTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  patch: CouponTemplatePatch,
): Promise<CouponTemplate> {
  return transact(db, async (tx) => {
    const current = await lockTemplate<CouponTemplate>(
      tx,
      'coupon_template',
      workspaceId,
      id,
      'coupon template',
    );
    const changedTerms = COUPON_TERMS.filter(
      ([field, column]) => patch[field] !== undefined && !same(current[column], patch[field]),
    );
    if (changedTerms.length && current.issued_count > 0)
      throw new DomainError(
        'conflict',
        `coupon template ${id} has issued ${current.issued_count} coupons: its discount, stores and tiers are fixed`,
        lockedProblems(
          changedTerms.map(([field]) => field),
          `${current.issued_count} coupons were already issued with it`,
        ),
        { reason: 'coupon_terms_locked' },
      );
    const next = { ...current };
    for (const [field, column] of [...COUPON_TERMS, ...COUPON_OTHERS])
      if (patch[field] !== undefined) Object.assign(next, { [column]: patch[field] });
    const problems: FieldProblem[] = [];
    if (next.total_limit !== null && next.total_limit < current.issued_count)
      problems.push({
        path: 'totalLimit',
        message: `must be at least ${current.issued_count} (already issued)`,
      });
    if (next.valid_from && next.valid_until && new Date(next.valid_from) >= new Date(next.valid_until))
      problems.push({ path: 'validUntil', message: 'must be after validFrom' });
    if (problems.length) throw invalid(problems);
    await checkCouponTerms(tx, workspaceId, {
      kind: next.kind,
      value: next.value,
      ...(next.free_item ? { freeItem: next.free_item } : {}),
      tierCodes: patch.tierCodes ?? [],
    });
    const { rows } = await sql<CouponTemplate>`update coupon_template set
        name = ${next.name}, description = ${next.description}, active = ${next.active},
        valid_from = ${next.valid_from}, valid_until = ${next.valid_until}, valid_days = ${next.valid_days},
        per_customer_limit = ${next.per_customer_limit}, total_limit = ${next.total_limit},
        kind = ${next.kind}, value = ${next.value}, free_item = ${next.free_item}, min_spend = ${next.min_spend},
        store_codes = ${next.store_codes}, tier_codes = ${[...new Set(next.tier_codes)]}
      where workspace_id = ${workspaceId} and id = ${id} returning *`.execute(tx);
    return rows[0]!;
  });
}

export interface StampCardPatch {
  name?: string;
  active?: boolean;
  stampPer?: 'visit' | 'order';
  minOrderTotal?: number;
  maxPerDay?: Maybe<number>;
  stampsRequired?: number;
  rewards?: StampReward[];
}

export async function updateStampCardTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  patch: StampCardPatch,
): Promise<StampCardTemplate> {
  return transact(db, async (tx) => {
    const current = await lockTemplate<StampCardTemplate>(
      tx,
      'stamp_card_template',
      workspaceId,
      id,
      'stamp card',
    );
    const changed = (
      [
        ['stampsRequired', 'stamps_required'],
        ['rewards', 'rewards'],
      ] as const
    ).filter(([field, column]) => patch[field] !== undefined && !same(current[column], patch[field]));
    if (changed.length) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from stamp_card
        where workspace_id = ${workspaceId} and template_id = ${id}`.execute(tx);
      const started = rows[0]!.n;
      if (started > 0)
        throw new DomainError(
          'conflict',
          `stamp card ${id} has ${started} cards in use: its goal and rewards are fixed`,
          lockedProblems(
            changed.map(([field]) => field),
            `${started} customers' cards were started with it`,
          ),
          { reason: 'stamp_card_terms_locked' },
        );
    }
    const required = patch.stampsRequired ?? current.stamps_required;
    const rewards = patch.rewards ?? current.rewards;
    checkStampRewards(rewards, required);
    await assertCouponTemplatesExist(
      tx,
      workspaceId,
      rewards.map((r, i) => ({ path: `rewards[${i}].couponTemplateId`, id: r.couponTemplateId })),
    );
    const { rows } = await sql<StampCardTemplate>`update stamp_card_template set
        name = ${patch.name ?? current.name}, active = ${patch.active ?? current.active},
        stamp_per = ${patch.stampPer ?? current.stamp_per},
        min_order_total = ${patch.minOrderTotal ?? current.min_order_total},
        max_per_day = ${patch.maxPerDay === undefined ? current.max_per_day : patch.maxPerDay},
        stamps_required = ${required}, rewards = ${JSON.stringify(rewards)}::jsonb
      where workspace_id = ${workspaceId} and id = ${id} returning *`.execute(tx);
    return rows[0]!;
  });
}

/**
 * Locks the template row `for update`: granting a coupon (issued_count) and starting a stamp card
 * (its foreign key's key-share lock) wait for the edit, so "none issued yet" holds until commit.
 */
async function lockTemplate<T>(
  tx: Transaction<DB>,
  table: 'coupon_template' | 'stamp_card_template',
  workspaceId: string,
  id: number,
  what: string,
): Promise<T> {
  const { rows } = await sql<T>`select * from ${sql.table(table)}
    where workspace_id = ${workspaceId} and id = ${id} for update`.execute(tx);
  if (!rows[0]) throw notFound(`${what} ${id}`);
  return rows[0];
}
