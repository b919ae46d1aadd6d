// Journey definitions: every problem is named by its JSON path; graphs with a missing target, an
// unreachable node or a cycle without a wait are refused; waits land on exact JST instants; the
// templates are valid definitions.
import { describe, expect, it } from 'vitest';
import { JOURNEY_TEMPLATES } from '../src/journeys/templates.ts';
import { validateJourneyDefinition } from '../src/journeys/validate-definition.ts';
import { parseDuration, waitEnd } from '../src/journeys/wait-time.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { jst, text } from './journeys-helpers.ts';

const base = {
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'hello', type: 'send', messages: [text('こんにちは')], next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};

/** The problems of an invalid definition, as "path: message". */
function problems(definition: unknown): string[] {
  try {
    validateJourneyDefinition(definition);
  } catch (error) {
    if (error instanceof DomainError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('definition validation', () => {
  it('accepts a valid definition as it is', () => {
    expect(validateJourneyDefinition(base)).toEqual(base);
  });

  it('takes a holdout of 0 to 50 percent with at most two decimals, naming holdoutPercent otherwise', () => {
    expect(validateJourneyDefinition({ ...base, holdoutPercent: 12.5 })).toMatchObject({
      holdoutPercent: 12.5,
    });
    expect(problems({ ...base, holdoutPercent: 0 })).toEqual([]);
    expect(problems({ ...base, holdoutPercent: 50 })).toEqual([]);
    const refused = 'holdoutPercent: must be a number from 0 to 50 with at most two decimals (0〜50%)';
    for (const bad of [50.01, -1, 12.345, '10', null])
      expect(problems({ ...base, holdoutPercent: bad })).toEqual([refused]);
  });

  it('names a missing node, a duplicate id and a bad type by path', () => {
    expect(
      problems({
        ...base,
        nodes: [
          { id: 'a', type: 'send', messages: [text('x')], next: 'x' },
          { id: 'a', type: 'exit' },
          { id: 'c', type: 'teleport' },
        ],
      }),
    ).toEqual([
      'nodes[1].id: "a" is also nodes[0].id',
      'nodes[2].type: must be one of "send", "wait", "waitForEvent", "branch", "action", "exit"',
    ]);
    expect(
      problems({ ...base, nodes: [{ id: 'a', type: 'send', messages: [text('x')], next: 'x' }] }),
    ).toEqual(['nodes[0].next: no node "x"']);
  });

  it('refuses unreachable nodes and a cycle without a wait, but allows a cycle through one', () => {
    const loop = (middle: object) => ({
      ...base,
      nodes: [
        { id: 'a', type: 'send', messages: [text('x')], next: 'b' },
        { id: 'b', ...middle, next: 'a' },
        { id: 'orphan', type: 'exit' },
      ],
    });
    expect(problems(loop({ type: 'action', action: { type: 'addTag', tag: 't' } }))).toEqual([
      'nodes[2]: "orphan" is unreachable from nodes[0]',
      'nodes[0]: cycle without a wait: a → b → a',
    ]);
    expect(problems(loop({ type: 'wait', duration: 'P7D' }))).toEqual([
      'nodes[2]: "orphan" is unreachable from nodes[0]',
    ]);
  });

  it('checks each node type’s fields, the trigger, goal, reentry and key', () => {
    expect(
      problems({
        trigger: { event: 'segment.entered' },
        reentry: { afterDays: 0 },
        quietHours: 'later',
        goal: { event: 'order.placed', withinDays: 7 },
        key: 'orderId',
        nodes: [
          { id: 'w', type: 'wait', duration: 'P1M', next: 'f' },
          { id: 'f', type: 'waitForEvent', event: 'order.recorded', timeout: '7 days', yes: 'b', no: 'b' },
          { id: 'b', type: 'branch', random: { percent: 101 }, yes: 'a', no: 'a' },
          { id: 'a', type: 'action', action: { type: 'addPoints', points: -5 }, next: 'u' },
          { id: 'u', type: 'wait', until: { dayOffset: 3, at: '25:00' }, next: 'c' },
          { id: 'c', type: 'branch', condition: { tag: 42 }, yes: 'e', no: 'e' },
          { id: 'e', type: 'exit' },
        ],
      }),
    ).toEqual([
      'trigger.segmentId: must be an integer from 1 to 9007199254740991',
      'reentry: must be "never", "after_exit" or { "afterDays": 1..3660 }',
      'quietHours: must be one of "hold", "skip"',
      expect.stringMatching(/^goal\.event: must be one of "order\.recorded"/),
      'key: must be one of "segmentId"',
      'nodes[0].duration: must be an ISO-8601 duration of weeks, days, hours or minutes (P3D, PT2H, P1DT12H)',
      'nodes[1].timeout: must be an ISO-8601 duration of weeks, days, hours or minutes (P3D, PT2H, P1DT12H)',
      'nodes[2].random.percent: must be an integer from 0 to 100',
      'nodes[3].action.points: must be an integer from 1 to 1000000',
      'nodes[4].until.at: must be a JST time of day "HH:MM"',
      expect.stringMatching(/^nodes\[5\]\.condition\.tag: /),
    ]);
  });

  it('checks send content with the LINE adapter’s rules, naming the message', () => {
    expect(
      problems({
        ...base,
        nodes: [
          { id: 's', type: 'send', messages: [], next: 's2' },
          { id: 's2', type: 'exit' },
        ],
      }),
    ).toEqual(['nodes[0].messages: must hold 1 to 5 messages']);
    expect(
      problems({
        ...base,
        nodes: [
          { id: 's', type: 'send', messages: [{ type: 'text', text: 'あ'.repeat(5001) }], next: 'e' },
          { id: 'e', type: 'exit' },
        ],
      }),
    ).toEqual(['nodes[0].messages[0].text: must be 1 to 5,000 characters']);
  });

  it('takes a key only for an event trigger whose payload has it', () => {
    expect(problems({ ...base, key: 'orderId' })).toEqual([
      'key: only an event trigger with a keyed payload takes a key',
    ]);
    expect(problems({ ...base, trigger: { event: 'order.recorded' }, key: 'orderId' })).toEqual([]);
  });

  it('every template is a valid definition, named in Japanese and English', () => {
    expect(JOURNEY_TEMPLATES.map((t) => t.id)).toEqual([
      'friend_add_welcome',
      'second_purchase',
      'win_back_180',
      'birthday_coupon',
      'visit_cycle_reminder',
    ]);
    for (const template of JOURNEY_TEMPLATES) {
      expect(problems(template.definition), template.id).toEqual([]);
      expect(template.name.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(template.name.en).toMatch(/^[A-Z]/);
    }
  });
});

describe('waits in Japan time', () => {
  it('parses ISO-8601 durations of weeks to seconds, and refuses months', () => {
    expect(parseDuration('P3D')).toBe(3 * 86_400_000);
    expect(parseDuration('PT2H')).toBe(2 * 3_600_000);
    expect(parseDuration('P1W2DT3H4M5S')).toBe(((9 * 24 + 3) * 60 + 4) * 60_000 + 5000);
    expect(parseDuration('P1M')).toBeNull();
    expect(parseDuration('P')).toBeNull();
    expect(parseDuration('PT')).toBeNull();
    expect(parseDuration('P0D')).toBeNull();
  });

  it('"3 days later at 10:00" counts JST days, also across UTC midnight', () => {
    // 2027-01-01 08:30 JST is still 2026-12-31 in UTC.
    expect(waitEnd({ until: { dayOffset: 3, at: '10:00' } }, jst('2027-01-01T08:30:00'))).toEqual(
      jst('2027-01-04T10:00:00'),
    );
    expect(waitEnd({ until: { dayOffset: 0, at: '10:00' } }, jst('2027-01-01T23:59:00'))).toEqual(
      jst('2027-01-01T10:00:00'),
    );
    expect(waitEnd({ duration: 'PT2H' }, jst('2027-01-01T23:30:00'))).toEqual(jst('2027-01-02T01:30:00'));
  });

  it('"next Saturday at 10:00": today if still ahead, else a week on', () => {
    // 2027-01-02 is a Saturday.
    const saturday = { weekday: { day: 'sat', at: '10:00' } } as const;
    expect(waitEnd(saturday, jst('2027-01-02T09:00:00'))).toEqual(jst('2027-01-02T10:00:00'));
    expect(waitEnd(saturday, jst('2027-01-02T10:00:00'))).toEqual(jst('2027-01-09T10:00:00'));
    expect(waitEnd(saturday, jst('2026-12-30T23:00:00'))).toEqual(jst('2027-01-02T10:00:00'));
    expect(waitEnd({ weekday: { day: 'mon', at: '09:00' } }, jst('2027-01-02T12:00:00'))).toEqual(
      jst('2027-01-04T09:00:00'),
    );
  });
});

describe('message clicked branches and line_then_email sends', () => {
  const clickFlow = (clicked: unknown) => ({
    ...base,
    nodes: [
      { id: 'hello', type: 'send', messages: [text('https://shop.example.jp')], next: 'wait' },
      { id: 'wait', type: 'wait', duration: 'PT1H', next: 'did' },
      { id: 'did', type: 'branch', clicked, yes: 'end', no: 'end' },
      { id: 'end', type: 'exit' },
    ],
  });

  it('accepts a branch on a click of an earlier send within a duration', () => {
    const ok = clickFlow({ nodeId: 'hello', within: 'P3D' });
    expect(validateJourneyDefinition(ok)).toEqual(ok);
  });

  it('names the clicked node and window that are wrong', () => {
    expect(problems(clickFlow({ nodeId: 'nope', within: 'P3D' }))).toEqual([
      'nodes[2].clicked.nodeId: no node "nope"',
    ]);
    expect(problems(clickFlow({ nodeId: 'wait', within: 'P3D' }))).toEqual([
      'nodes[2].clicked.nodeId: "wait" is not a send node',
    ]);
    expect(problems(clickFlow({ nodeId: 'hello', within: '3 days' }))).toEqual([
      'nodes[2].clicked.within: must be an ISO-8601 duration of weeks, days, hours or minutes (P3D, PT2H, P1DT12H)',
    ]);
    expect(problems(clickFlow({ nodeId: 'hello', within: 'P91D' }))).toEqual([
      'nodes[2].clicked.within: must be at most 90 days (P90D)',
    ]);
    expect(
      problems({
        ...base,
        nodes: [
          { id: 'did', type: 'branch', clicked: { nodeId: 'later', within: 'P1D' }, yes: 'later', no: 'end' },
          { id: 'later', type: 'send', messages: [text('x')], next: 'end' },
          { id: 'end', type: 'exit' },
        ],
      }),
    ).toEqual(['nodes[0].clicked.nodeId: "later" does not lead to this branch']);
    expect(
      problems({
        ...base,
        nodes: [
          { id: 'a', type: 'branch', random: { percent: 5 }, clicked: {}, yes: 'end', no: 'end' },
          { id: 'end', type: 'exit' },
        ],
      }),
    ).toEqual(['nodes[0]: a branch needs exactly one of "condition", "random", "clicked"']);
  });

  it('requires both contents of a line_then_email send, naming each', () => {
    const node = (fields: object) => ({
      ...base,
      nodes: [{ id: 'hi', type: 'send', channel: 'line_then_email', next: 'end', ...fields }, base.nodes[1]],
    });
    const mail = { subject: 'ようこそ', mjml: '<mjml><mj-body></mj-body></mjml>' };
    expect(problems(node({ messages: [text('こんにちは')], email: mail }))).toEqual([]);
    expect(problems(node({ email: mail }))).toEqual([
      'nodes[0].messages: required for a line_then_email send: the LINE messages for friends',
    ]);
    expect(problems(node({ messages: [text('こんにちは')] }))[0]).toMatch(
      /^nodes\[0\]\.email: required for a line_then_email send/,
    );
    expect(problems(node({ messages: [text('こんにちは')], email: { subject: 'x' } }))).toEqual([
      'nodes[0].email.mjml: must be an MJML document of 1 to 100000 characters',
    ]);
    expect(problems(node({ channel: 'fax', messages: [text('x')] }))).toEqual([
      'nodes[0].channel: must be one of "line", "email", "line_then_email"',
    ]);
  });
});
