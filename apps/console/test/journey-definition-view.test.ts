// The step list's reading of a journey definition, without a browser: the timings Japanese step
// delivery prints, and the round trip an edit makes (only the edited node changes).
import { describe, expect, it } from 'vitest';
import { fill, type Lang } from '../src/i18n/messages.ts';
import {
  afterWait,
  asDefinition,
  isLinear,
  linearSteps,
  parseDuration,
  successorsOf,
  withCouponTemplate,
  withNode,
} from '../src/journeys/definition-view.ts';
import { nodeSummary, triggerLabel } from '../src/journeys/journey-labels.ts';
import { journeyMessages } from '../src/journeys/messages.ts';

const welcome = {
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: 1 }, next: 'greeting' },
    { id: 'greeting', type: 'send', messages: [{ type: 'text', text: 'ようこそ' }], next: 'day3' },
    { id: 'day3', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'tips' },
    { id: 'tips', type: 'send', messages: [{ type: 'text', text: 'おすすめ' }], next: 'later' },
    { id: 'later', type: 'wait', duration: 'P4D', next: 'soon' },
    { id: 'soon', type: 'wait', duration: 'PT2H', next: 'reminder' },
    { id: 'reminder', type: 'send', messages: [{ type: 'text', text: 'リマインド' }], next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};

describe('the step list of a linear journey', () => {
  it('adds up the waits from the entry: at once, day 3 at 10:00, day 7 at 10:00, then two hours on', () => {
    const definition = asDefinition(welcome);
    if (!definition) throw new Error('not a definition');
    expect(isLinear(definition)).toBe(true);
    const timings = linearSteps(definition).map(({ node, timing }) => [
      node.id,
      timing.days,
      timing.at,
      timing.hours,
    ]);
    expect(timings).toEqual([
      ['coupon', 0, null, 0],
      ['greeting', 0, null, 0],
      ['day3', 3, '10:00', 0],
      ['tips', 3, '10:00', 0],
      ['later', 7, '10:00', 0],
      ['soon', 7, null, 2],
      ['reminder', 7, null, 2],
      ['end', 7, null, 2],
    ]);
    expect(linearSteps(definition)[0]?.timing.immediate).toBe(true);
    expect(linearSteps(definition)[3]?.timing.immediate).toBe(false);
  });

  it('reads ISO-8601 durations of days, hours and minutes, and refuses others', () => {
    expect(parseDuration('P3D')).toEqual({ days: 3, hours: 0 });
    expect(parseDuration('P1DT12H30M')).toEqual({ days: 1, hours: 12.5 });
    expect(parseDuration('P1M')).toBeNull();
    expect(parseDuration('P')).toBeNull();
    const start = { days: 0, hours: 0, at: null, weekday: null, immediate: true };
    expect(afterWait(start, { id: 'w', type: 'wait', weekday: { day: 'mon', at: '09:00' } })).toMatchObject({
      weekday: 'mon',
      at: '09:00',
    });
  });

  it('edits one node and leaves the rest of the definition as it was (the editor round trip)', () => {
    const definition = asDefinition(structuredClone(welcome));
    if (!definition) throw new Error('not a definition');
    const edited = withNode(definition, 'tips', (n) => ({
      ...n,
      messages: [{ type: 'text', text: '新しい本文' }],
    }));
    expect(edited.nodes.find((n) => n.id === 'tips')?.messages).toEqual([
      { type: 'text', text: '新しい本文' },
    ]);
    expect({ ...edited, nodes: edited.nodes.filter((n) => n.id !== 'tips') }).toEqual({
      ...welcome,
      nodes: welcome.nodes.filter((n) => n.id !== 'tips'),
    });
    // The cached definition is not mutated.
    expect(definition.nodes.find((n) => n.id === 'tips')?.messages).toEqual([
      { type: 'text', text: 'おすすめ' },
    ]);
    expect(withCouponTemplate(definition, 7).nodes[0]?.action).toEqual({
      type: 'grantCoupon',
      templateId: 7,
    });
  });

  it('tells branching journeys and malformed definitions apart', () => {
    const branching = asDefinition({
      trigger: { event: 'order.recorded' },
      nodes: [
        { id: 'b', type: 'branch', random: { percent: 50 }, yes: 'e', no: 'e' },
        { id: 'e', type: 'exit' },
      ],
    });
    expect(branching && isLinear(branching)).toBe(false);
    expect(asDefinition({ trigger: {}, nodes: [{ id: 1 }] })).toBeNull();
    expect(asDefinition('x')).toBeNull();
  });
});

describe('the new node kinds as the console reads them', () => {
  const clicked = {
    trigger: { event: 'line.postback', action: 'coupon' },
    reentry: 'after_exit',
    quietHours: 'hold',
    nodes: [
      {
        id: 'menu',
        type: 'send',
        channel: 'line_then_email',
        messages: [{ type: 'text', text: 'おすすめ https://shop.example.jp' }],
        email: { subject: 'おすすめ', mjml: '<mjml><mj-body></mj-body></mjml>' },
        next: 'did',
      },
      { id: 'did', type: 'branch', clicked: { nodeId: 'menu', within: 'P3D' }, yes: 'end', no: 'end' },
      { id: 'end', type: 'exit' },
    ],
  };
  const t =
    (lang: Lang) => (key: keyof (typeof journeyMessages)['ja'], vars?: Record<string, string | number>) =>
      fill(journeyMessages[lang][key], vars);

  it('keeps the mail and the channel of a line_then_email send when its LINE text is edited (round trip)', () => {
    const definition = asDefinition(structuredClone(clicked));
    if (!definition) throw new Error('not a definition');
    const edited = withNode(definition, 'menu', (n) => ({
      ...n,
      messages: [{ type: 'text', text: '新しい本文' }],
    }));
    expect(edited.nodes[0]).toEqual({
      ...clicked.nodes[0],
      messages: [{ type: 'text', text: '新しい本文' }],
    });
    expect(edited.nodes.slice(1)).toEqual(clicked.nodes.slice(1));
    expect(successorsOf(edited.nodes[1]!)).toEqual(['end', 'end']);
  });

  it('words the rich menu trigger and the click branch in Japanese and English', () => {
    expect(triggerLabel(clicked.trigger, t('ja'), 'ja')).toBe('リッチメニューのタップ（action=coupon）');
    expect(triggerLabel(clicked.trigger, t('en'), 'en')).toBe('A rich menu tap (action=coupon)');
    const branch = asDefinition(clicked)!.nodes[1]!;
    expect(nodeSummary(branch, t('ja'), 'ja')).toBe('「menu」のリンクを 3日 以内にクリックしたか');
    expect(nodeSummary(branch, t('en'), 'en')).toMatch(/^Clicked a link in “menu” within 3 ?days?\?$/);
  });
});
