/**
 * Built-in segment templates: the status segments Japanese shops run coupons on (初回, 常連,
 * 休眠, 誕生月, VIP, 離反予備軍, 未購入の友だち), in Japanese and English. A template is only a
 * definition with names: creating a segment from one copies the definition, which can then be
 * edited like any other.
 */
import type { RuleNode } from './rule-tree.ts';

export interface SegmentTemplate {
  key: string;
  name: { ja: string; en: string };
  description: { ja: string; en: string };
  definition: RuleNode;
}

const completedOrders = { of: 'orders', measure: 'count' } as const;
const visits = { of: 'visits', measure: 'count' } as const;

export const TEMPLATES: readonly SegmentTemplate[] = [
  {
    key: 'first_purchase',
    name: { ja: '初回購入のお客様', en: 'First-time buyers' },
    description: {
      ja: '完了した注文がちょうど1件のお客様。',
      en: 'Customers with exactly one completed order.',
    },
    definition: { aggregate: completedOrders, op: 'eq', value: 1 },
  },
  {
    key: 'first_visit',
    name: { ja: '初回来店のお客様', en: 'First-time visitors' },
    description: { ja: '来店がちょうど1回のお客様。', en: 'Customers with exactly one visit.' },
    definition: { aggregate: visits, op: 'eq', value: 1 },
  },
  {
    key: 'new_30d',
    name: { ja: '新規のお客様(30日以内)', en: 'New in the last 30 days' },
    description: {
      ja: '初回の購入または来店が過去30日以内のお客様。',
      en: 'Customers whose first order or first visit was within the last 30 days.',
    },
    definition: {
      or: [
        { aggregate: { of: 'orders', measure: 'days_since_first' }, op: 'lt', value: 30 },
        { aggregate: { of: 'visits', measure: 'days_since_first' }, op: 'lt', value: 30 },
      ],
    },
  },
  {
    key: 'regulars',
    name: { ja: '常連のお客様(3回以上来店)', en: 'Regulars (3+ visits)' },
    description: { ja: '来店が3回以上のお客様。', en: 'Customers with three or more visits.' },
    definition: { aggregate: visits, op: 'gte', value: 3 },
  },
  {
    key: 'lapsed_180d',
    name: { ja: '休眠のお客様(180日以上ご無沙汰)', en: 'Lapsed (no visit or order for 180 days)' },
    description: {
      ja: '過去に購入または来店があり、180日間どちらもないお客様。',
      en: 'Customers who ordered or visited before, but neither in the last 180 days.',
    },
    definition: {
      and: [
        {
          or: [
            { aggregate: completedOrders, op: 'gte', value: 1 },
            { aggregate: visits, op: 'gte', value: 1 },
          ],
        },
        { aggregate: { ...completedOrders, window: { days: 180 } }, op: 'eq', value: 0 },
        { aggregate: { ...visits, window: { days: 180 } }, op: 'eq', value: 0 },
      ],
    },
  },
  {
    key: 'birthday_this_month',
    name: { ja: '今月お誕生日のお客様', en: 'Birthday this month' },
    description: {
      ja: '誕生日が今月(日本時間)のお客様。',
      en: 'Customers whose birthday falls in the current month (Japan time).',
    },
    definition: { birthday: 'this_month' },
  },
  {
    key: 'anniversary_today',
    name: { ja: 'ご登録記念日のお客様', en: 'Registration anniversary today' },
    description: {
      ja: '今日(日本時間)がご登録から1年以上の記念日のお客様。',
      en: 'Customers registered on this day (Japan time) in an earlier year.',
    },
    definition: { anniversary: 'today' },
  },
  {
    key: 'vip',
    name: { ja: 'VIP(予測LTV上位10%)', en: 'VIP (top 10% predicted CLV)' },
    description: {
      ja: '予測顧客生涯価値が上位10%のお客様(CLVモデルの予測による)。',
      en: 'Customers in the top 10% by predicted customer lifetime value (from the CLV model).',
    },
    definition: { prediction: 'clv_percentile', op: 'gte', value: 90 },
  },
  {
    key: 'at_risk',
    name: { ja: '離反予備軍', en: 'At risk' },
    description: {
      ja: '2回以上購入があり、継続確率(P(alive))が0.5未満のお客様。',
      en: 'Customers with two or more purchases whose probability of still being active is below 0.5.',
    },
    definition: {
      and: [
        { aggregate: completedOrders, op: 'gte', value: 2 },
        { prediction: 'p_alive', op: 'lt', value: 0.5 },
      ],
    },
  },
  {
    key: 'line_friends_never_bought',
    name: { ja: '未購入のLINE友だち', en: 'LINE friends who never bought' },
    description: {
      ja: 'LINE友だち(ブロックなし)で、完了した注文がないお客様。',
      en: 'LINE friends (not blocked) without a completed order.',
    },
    definition: { and: [{ identity: 'line_friend' }, { aggregate: completedOrders, op: 'eq', value: 0 }] },
  },
];

export function findTemplate(key: string): SegmentTemplate | undefined {
  return TEMPLATES.find((t) => t.key === key);
}
