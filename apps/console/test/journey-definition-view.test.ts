// The step list's reading of a journey definition, without a browser: the timings Japanese step
// delivery prints, and the round trip an edit makes (only the edited node changes).
import { describe, expect, it } from 'vitest';
import {
  afterWait,
  asDefinition,
  isLinear,
  linearSteps,
  parseDuration,
  withCouponTemplate,
  withNode,
} from '../src/journeys/definition-view.ts';

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
