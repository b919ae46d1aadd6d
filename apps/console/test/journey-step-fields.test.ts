// The step form and the settings form without a browser: what a form shows for a step (or a
// trigger) and the node (or trigger) its values make come back to what was there, for every kind
// the editor offers, so opening a form and pressing 反映 changes nothing.
import { describe, expect, it } from 'vitest';
import { couponFlexMessage } from '../src/journeys/coupon-message.ts';
import type { JourneyNodeView } from '../src/journeys/definition-view.ts';
import {
  FLEX_EXAMPLE,
  flexProblems,
  jsonErrorOffset,
  messagesOf,
  messageValuesOf,
} from '../src/journeys/message-values.ts';
import { settingsOf, settingsValuesOf, triggerOf, validHoldout } from '../src/journeys/settings-fields.ts';
import { kindOf, stepOf, valuesOf } from '../src/journeys/step-fields.ts';

const segments = [{ id: 4, name: '購入者', definition: { tag: 'buyer' } }];

const NODES: JourneyNodeView[] = [
  { id: 'a', type: 'send', label: '挨拶', messages: [{ type: 'text', text: 'ようこそ' }], next: 'z' },
  {
    id: 'b',
    type: 'send',
    channel: 'line_then_email',
    messages: [
      { type: 'flex', altText: 'x' },
      { type: 'text', text: 'またね' },
    ],
    email: { templateId: 2 },
    next: 'z',
  },
  { id: 'c', type: 'send', channel: 'email', email: { templateId: 3 }, next: 'z' },
  { id: 'd', type: 'wait', duration: 'P1DT6H', next: 'z' },
  { id: 'e', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'z' },
  { id: 'f', type: 'wait', weekday: { day: 'sat', at: '09:30' }, next: 'z' },
  { id: 'g', type: 'waitForEvent', event: 'order.recorded', timeout: 'P7D', yes: 'z', no: 'y' },
  { id: 'h', type: 'branch', random: { percent: 20 }, yes: 'z', no: 'y' },
  { id: 'i', type: 'branch', label: '購入者', condition: { tag: 'buyer' }, yes: 'z', no: 'y' },
  {
    id: 'j',
    type: 'branch',
    condition: { aggregate: { of: 'orders', measure: 'count' }, op: 'eq', value: 1 },
    yes: 'z',
    no: 'y',
  },
  { id: 'k', type: 'action', action: { type: 'grantCoupon', templateId: 9 }, next: 'z' },
  { id: 'l', type: 'action', action: { type: 'addPoints', points: 100, reason: '誕生日' }, next: 'z' },
  { id: 'm', type: 'action', action: { type: 'addTag', tag: 'vip' }, next: 'z' },
  { id: 'n', type: 'action', action: { type: 'removeTag', tag: 'new' }, next: 'z' },
  {
    id: 'o',
    type: 'send',
    channel: 'email',
    email: { subject: '{{ customer.given_name }}様へ', mjml: '<mjml><mj-body/></mjml>' },
    next: 'z',
  },
  {
    id: 'p',
    type: 'send',
    label: 'お礼',
    channel: 'line_then_email',
    channelId: 'ch1',
    messages: [{ type: 'text', text: 'ありがとう' }],
    email: { subject: 'ありがとう', mjml: '<mjml/>' },
    next: 'z',
  },
  { id: 'q', type: 'branch', clicked: { nodeId: 'a', within: 'P1DT12H' }, yes: 'z', no: 'y' },
  { id: 'r', type: 'branch', clicked: { nodeId: 'a', within: 'PT90M' }, yes: 'z', no: 'y' },
  { id: 's', type: 'action', action: { type: 'setAttribute', name: 'favorite', value: '珈琲' }, next: 'z' },
  { id: 't', type: 'action', action: { type: 'setAttribute', name: 'visits', value: 3.5 }, next: 'z' },
  { id: 'u', type: 'action', action: { type: 'setAttribute', name: 'dm', value: true }, next: 'z' },
  { id: 'v', type: 'action', action: { type: 'setAttribute', name: 'note', value: null }, next: 'z' },
  { id: 'w', type: 'action', action: { type: 'linkRichMenu', richMenuId: 7 }, next: 'z' },
  { id: 'x', type: 'action', action: { type: 'unlinkRichMenu' }, next: 'z' },
  { id: 'aa', type: 'send', channel: 'line', messages: [{ type: 'text', text: 'やあ' }], next: 'z' },
];

/** The node without its id and edges: what stepOf gives back. */
function fields(node: JourneyNodeView) {
  const { id: _i, next: _n, yes: _y, no: _no, ...rest } = node;
  return rest;
}

describe('the step form', () => {
  it.each(NODES.map((n) => [n.id, n] as const))('shows node %s and gives it back unchanged', (_id, node) => {
    expect(kindOf(node)).not.toBeNull();
    expect(stepOf(valuesOf(node, segments), node, segments)).toStrictEqual(fields(node));
  });

  it('makes the nodes a shop owner asks for from new values', () => {
    expect(stepOf({ kind: 'wait', waitMode: 'until', days: 3, at: '10:00' }, null, segments)).toEqual({
      type: 'wait',
      until: { dayOffset: 3, at: '10:00' },
    });
    expect(stepOf({ kind: 'wait', waitMode: 'duration', days: 0, hours: 2 }, null, segments)).toEqual({
      type: 'wait',
      duration: 'PT2H',
    });
    expect(stepOf({ kind: 'waitForEvent', event: 'order.recorded', withinDays: 7 }, null, segments)).toEqual({
      type: 'waitForEvent',
      event: 'order.recorded',
      timeout: 'P7D',
    });
    // A segment branch copies the segment's rules and names it in the label.
    expect(stepOf({ kind: 'branch', branchMode: 'segment', segmentId: 4 }, null, segments)).toEqual({
      type: 'branch',
      label: '購入者',
      condition: { tag: 'buyer' },
    });
    expect(stepOf({ kind: 'sendEmail', emailTemplateId: 5 }, null, segments)).toEqual({
      type: 'send',
      channel: 'email',
      email: { templateId: 5 },
    });
  });

  it('changes only the text of a message with other messages beside it', () => {
    const node = NODES[1] as JourneyNodeView;
    const values = valuesOf(node, segments);
    expect(values.messages?.map((m) => m.type)).toEqual(['flex', 'text']);
    const [flex, text] = values.messages ?? [];
    if (text?.type !== 'text' || !flex) throw new Error('not a text');
    const changed = stepOf({ ...values, messages: [flex, { ...text, text: 'またどうぞ' }] }, node, segments);
    expect(changed.messages).toEqual([
      { type: 'flex', altText: 'x' },
      { type: 'text', text: 'またどうぞ' },
    ]);
  });

  it('adds, reorders and removes messages: a text, a flex message, a coupon', () => {
    const coupon = couponFlexMessage({
      id: 3,
      name: '500円引き',
      kind: 'amount_off',
      value: 500,
      freeItem: null,
      minSpend: 0,
      validUntil: '2027-01-31T14:59:59.000Z',
      validDays: null,
    });
    const step = stepOf(
      {
        kind: 'sendLine',
        messages: [
          { type: 'flex', json: JSON.stringify(coupon) },
          { type: 'text', text: 'クーポンをお届けします' },
        ],
      },
      null,
      segments,
    );
    expect(step).toEqual({
      type: 'send',
      messages: [coupon, { type: 'text', text: 'クーポンをお届けします' }],
    });
    expect(coupon).toMatchObject({ type: 'flex', altText: '500円引き ¥500 OFF' });
    expect(JSON.stringify(coupon)).toContain('有効期限: 2027年1月31日まで');
    expect(JSON.stringify(coupon)).toContain('{{ coupon.code }}');
  });

  it('reads each new kind into the fields a shop owner fills in', () => {
    const byId = (id: string) => NODES.find((n) => n.id === id) as JourneyNodeView;
    expect(valuesOf(byId('q'), segments)).toEqual({
      kind: 'branch',
      branchMode: 'clicked',
      clickedNodeId: 'a',
      clickedDays: 1,
      clickedHours: 12,
    });
    // A window in minutes is not one the form writes: the branch is kept as it is.
    expect(valuesOf(byId('r'), segments).branchMode).toBe('keep');
    expect(valuesOf(byId('t'), segments)).toMatchObject({ attrType: 'number', attrNumber: 3.5 });
    expect(valuesOf(byId('v'), segments)).toMatchObject({ attrType: 'empty', attrName: 'note' });
    expect(valuesOf(byId('p'), segments)).toMatchObject({
      kind: 'sendBoth',
      messages: [{ type: 'text', text: 'ありがとう', base: { type: 'text', text: 'ありがとう' } }],
      emailMode: 'inline',
      emailSubject: 'ありがとう',
    });
  });

  it('makes a click branch, a customer attribute and a LINE-then-email step from new values', () => {
    expect(
      stepOf(
        { kind: 'branch', branchMode: 'clicked', clickedNodeId: 'a', clickedDays: 0, clickedHours: 6 },
        null,
        segments,
      ),
    ).toEqual({ type: 'branch', clicked: { nodeId: 'a', within: 'PT6H' } });
    expect(
      stepOf(
        {
          kind: 'action',
          actionType: 'setAttribute',
          attrName: ' 好きな店舗 ',
          attrType: 'text',
          attrText: '渋谷',
        },
        null,
        segments,
      ),
    ).toEqual({ type: 'action', action: { type: 'setAttribute', name: '好きな店舗', value: '渋谷' } });
    expect(
      stepOf(
        {
          kind: 'sendBoth',
          messages: [{ type: 'text', text: 'こんにちは' }],
          emailMode: 'template',
          emailTemplateId: 4,
        },
        null,
        segments,
      ),
    ).toEqual({
      type: 'send',
      channel: 'line_then_email',
      messages: [{ type: 'text', text: 'こんにちは' }],
      email: { templateId: 4 },
    });
  });

  it('keeps a message of a type it has no fields for, and offers no form for an exit', () => {
    const node: JourneyNodeView = { id: 'x', type: 'send', messages: [{ type: 'imagemap', baseUrl: 'u' }] };
    expect(kindOf(node)).toBe('sendLine');
    expect(stepOf(valuesOf(node, segments), node, segments)).toStrictEqual(fields(node));
    expect(kindOf({ id: 'x', type: 'exit' })).toBeNull();
  });
});

describe('a flex message as JSON', () => {
  it('accepts the example and a coupon message', () => {
    expect(flexProblems(FLEX_EXAMPLE)).toEqual([]);
    const coupon = couponFlexMessage({
      id: 1,
      name: 'ドリンク',
      kind: 'free_item',
      value: 0,
      freeItem: 'ドリンク1杯',
      minSpend: 0,
      validUntil: null,
      validDays: null,
    });
    expect(flexProblems(JSON.stringify(coupon))).toEqual([]);
  });

  it('names the line and column where the JSON stops being readable', () => {
    expect(flexProblems('{\n  "type": "flex",\n  "altText": x\n}')).toEqual([
      { path: '', code: 'syntax', line: 3, column: 14 },
    ]);
    expect(flexProblems('[1]')).toEqual([{ path: '', code: 'object' }]);
  });

  it.each([
    '{"a": [1, -2.5e3, true, false, null, "x\\"\\u00e9"]}',
    '  {}  ',
    '{"a": 1,}',
    '{"a" 1}',
    '[1 2]',
    '"open',
    '{"a": 01}',
    '{} x',
    '',
  ])('reads %j as JSON.parse does', (json) => {
    let parses = true;
    try {
      JSON.parse(json);
    } catch {
      parses = false;
    }
    expect(jsonErrorOffset(json) === -1).toBe(parses);
  });

  it('names each problem by its JSON path', () => {
    expect(flexProblems('{"type": "text", "altText": "", "contents": {"type": "box"}}')).toEqual([
      { path: 'type', code: 'type' },
      { path: 'altText', code: 'altText' },
      { path: 'contents.type', code: 'contentsType' },
    ]);
    expect(
      flexProblems('{"type": "flex", "altText": "a", "contents": {"type": "carousel", "contents": []}}'),
    ).toEqual([{ path: 'contents.contents', code: 'carousel' }]);
    expect(flexProblems('{"type": "flex", "altText": "a"}')).toEqual([
      { path: 'contents', code: 'contents' },
    ]);
  });

  it('gives a flex message back as it was, key for key', () => {
    const flex = {
      type: 'flex',
      altText: 'a',
      contents: { type: 'bubble', body: { type: 'box', contents: [] } },
    };
    expect(messagesOf(messageValuesOf([flex]))).toStrictEqual([flex]);
  });
});

describe('the settings form', () => {
  const TRIGGERS: Record<string, unknown>[] = [
    { event: 'line.friend_added' },
    { event: 'line.friend_added', refollow: false },
    { event: 'line.friend_added', refollow: true },
    { event: 'segment.entered', segmentId: 4 },
    { event: 'order.recorded' },
    { date: 'birthday', daysBefore: 7 },
    { date: 'days_since_last', of: 'orders', days: 180 },
    { date: 'days_since_last', of: 'visits', days: 60 },
    { date: 'visit_cycle', of: 'orders' },
    { event: 'loyalty.tier_changed' },
  ];
  it.each(TRIGGERS.map((t) => [JSON.stringify(t), t] as const))('gives back %s', (_name, trigger) => {
    expect(triggerOf(settingsValuesOf(trigger, {}), trigger)).toStrictEqual(trigger);
  });

  it.each([
    ['never', undefined],
    ['after_exit', { event: 'order.recorded', withinDays: 7 }],
    [{ afterDays: 30 }, { event: 'visit.recorded', withinDays: 45 }],
  ] as const)('gives back re-entry %j and goal %j', (reentry, goal) => {
    const settings = { reentry, quietHours: 'hold', ...(goal ? { goal } : {}) };
    expect(settingsOf(settingsValuesOf({ event: 'order.recorded' }, settings))).toStrictEqual({
      reentry,
      goal,
      quietHours: 'hold',
      holdoutPercent: undefined,
    });
  });

  it.each([
    ['skip', 12.5],
    ['hold', 0],
    ['skip', undefined],
  ] as const)('gives back quiet hours %s and holdout %s%%', (quietHours, holdoutPercent) => {
    const settings = {
      reentry: 'never',
      quietHours,
      ...(holdoutPercent !== undefined ? { holdoutPercent } : {}),
    };
    expect(settingsOf(settingsValuesOf({ event: 'order.recorded' }, settings))).toStrictEqual({
      reentry: 'never',
      goal: undefined,
      quietHours,
      holdoutPercent,
    });
  });

  it('accepts a holdout as the server does: 0 to 50 with at most two decimals', () => {
    expect([0, 12.5, 33.33, 50].every(validHoldout)).toBe(true);
    expect([-1, 50.01, 12.345, Number.NaN, '10'].some(validHoldout)).toBe(false);
  });
});
