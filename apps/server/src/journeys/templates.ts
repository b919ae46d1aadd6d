// Journey templates in Japanese and English (GET /v1/journeys/templates). Creating a journey from
// one copies its definition; coupon template id 1 stands for "your coupon template" and is to be
// replaced with one of the workspace's (the create validates the definition, not the id).
import type { JourneyDefinition } from './definition.ts';

export interface JourneyTemplate {
  id: string;
  name: { ja: string; en: string };
  description: { ja: string; en: string };
  definition: JourneyDefinition;
}

const text = (t: string) => ({ type: 'text', text: t });
const COUPON = 1;

const welcome: JourneyDefinition = {
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  // A purchase within 7 days ends the run: the day 7 reminder goes only to those who have not bought.
  goal: { event: 'order.recorded', withinDays: 7 },
  nodes: [
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: COUPON }, next: 'greeting' },
    {
      id: 'greeting',
      type: 'send',
      messages: [
        text(
          '友だち追加ありがとうございます！ささやかですが、初回限定クーポンをお届けしました。会員証からご利用ください。',
        ),
      ],
      next: 'day3',
    },
    { id: 'day3', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'tips' },
    {
      id: 'tips',
      type: 'send',
      messages: [
        text('当店のおすすめの楽しみ方をご紹介します。気になる商品があればお気軽にご相談ください。'),
      ],
      next: 'day7',
    },
    { id: 'day7', type: 'wait', until: { dayOffset: 4, at: '10:00' }, next: 'reminder' },
    {
      id: 'reminder',
      type: 'send',
      messages: [text('初回限定クーポンの有効期限が近づいています。ご来店をお待ちしております。')],
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

const secondPurchase: JourneyDefinition = {
  trigger: { event: 'order.recorded' },
  reentry: 'never',
  quietHours: 'hold',
  goal: { event: 'order.recorded', withinDays: 45 },
  nodes: [
    {
      id: 'first',
      type: 'branch',
      condition: { aggregate: { of: 'orders', measure: 'count' }, op: 'eq', value: 1 },
      yes: 'wait14',
      no: 'end',
    },
    { id: 'wait14', type: 'wait', until: { dayOffset: 14, at: '11:00' }, next: 'coupon' },
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: COUPON }, next: 'invite' },
    {
      id: 'invite',
      type: 'send',
      messages: [
        text(
          '先日はご購入ありがとうございました。2回目のお買い物にお使いいただけるクーポンをお届けしました。',
        ),
      ],
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

const winBack: JourneyDefinition = {
  trigger: { date: 'days_since_last', of: 'orders', days: 180 },
  reentry: 'after_exit',
  quietHours: 'hold',
  goal: { event: 'order.recorded', withinDays: 30 },
  nodes: [
    { id: 'morning', type: 'wait', until: { dayOffset: 0, at: '10:00' }, next: 'coupon' },
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: COUPON }, next: 'message' },
    {
      id: 'message',
      type: 'send',
      messages: [text('お久しぶりです。またお会いできるのを楽しみに、特別クーポンをご用意しました。')],
      next: 'wait14',
    },
    { id: 'wait14', type: 'wait', duration: 'P14D', next: 'reminder' },
    {
      id: 'reminder',
      type: 'send',
      messages: [text('特別クーポンの有効期限が近づいています。')],
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

const birthday: JourneyDefinition = {
  trigger: { date: 'birthday', daysBefore: 7 },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: COUPON }, next: 'morning' },
    { id: 'morning', type: 'wait', until: { dayOffset: 0, at: '10:00' }, next: 'message' },
    {
      id: 'message',
      type: 'send',
      messages: [text('もうすぐお誕生日ですね。おめでとうございます！バースデークーポンをお届けしました。')],
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

const visitCycle: JourneyDefinition = {
  trigger: { date: 'visit_cycle', of: 'visits' },
  reentry: 'after_exit',
  quietHours: 'hold',
  goal: { event: 'visit.recorded', withinDays: 14 },
  nodes: [
    { id: 'morning', type: 'wait', until: { dayOffset: 0, at: '10:00' }, next: 'reminder' },
    {
      id: 'reminder',
      type: 'send',
      messages: [text('そろそろいつものご来店の時期です。ご予約をお待ちしております。')],
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

export const JOURNEY_TEMPLATES: readonly JourneyTemplate[] = [
  {
    id: 'friend_add_welcome',
    name: { ja: '友だち追加ウェルカム', en: 'Friend-add welcome' },
    description: {
      ja: '追加当日にあいさつとクーポン、3日後にお役立ち情報、7日後に未購入の方へリマインド',
      en: 'Day 0 greeting with a coupon, day 3 tips, day 7 reminder if no purchase yet',
    },
    definition: welcome,
  },
  {
    id: 'second_purchase',
    name: { ja: '初回購入→2回目購入', en: 'First purchase → second purchase' },
    description: {
      ja: '初回購入の14日後に2回目用クーポンを案内（2回目の購入で終了）',
      en: 'A second-purchase coupon 14 days after the first order (ends at the second order)',
    },
    definition: secondPurchase,
  },
  {
    id: 'win_back_180',
    name: { ja: '休眠180日の掘り起こし', en: 'Lapsed 180 days win-back' },
    description: {
      ja: '最終購入から180日でクーポンを送り、14日後にリマインド（購入で終了）',
      en: 'A coupon 180 days after the last order, a reminder 14 days later (ends at an order)',
    },
    definition: winBack,
  },
  {
    id: 'birthday_coupon',
    name: { ja: 'バースデークーポン', en: 'Birthday coupon' },
    description: {
      ja: '誕生日の7日前にクーポンとお祝いメッセージ（年1回）',
      en: 'A coupon and a greeting 7 days before the birthday (once a year)',
    },
    definition: birthday,
  },
  {
    id: 'visit_cycle_reminder',
    name: { ja: '来店周期リマインド', en: 'Visit cycle reminder' },
    description: {
      ja: 'いつもの来店間隔（中央値）が過ぎた日の10時にご案内（来店で終了）',
      en: 'A reminder at 10:00 on the day the customer’s usual visit interval (median) has passed (ends at a visit)',
    },
    definition: visitCycle,
  },
];
