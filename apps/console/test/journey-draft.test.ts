// The journey editor's state without a browser: every template the server offers and a
// hand-written branching journey survive definition → editor state → definition unchanged, and
// every edit (add a step anywhere, delete any step) leaves a definition the server's own
// validator accepts, with an exit reachable.
import { describe, expect, it } from 'vitest';
import { JOURNEY_TEMPLATES } from '../../server/src/journeys/templates.ts';
import { validateJourneyDefinition } from '../../server/src/journeys/validate-definition.ts';
import { compileContent, renderContent } from '../../server/src/templates/render-content.ts';
import { SYNTHETIC_CUSTOMERS } from '../../server/src/templates/template-variables.ts';
import { couponFlexMessage } from '../src/journeys/coupon-message.ts';
import type { JourneyDefinitionView } from '../src/journeys/definition-view.ts';
import {
  type Anchor,
  armsOf,
  canDelete,
  deleteStep,
  emptyDefinition,
  fromDraft,
  graphProblems,
  insertStep,
  type JourneyDraft,
  type NewStep,
  nodeOf,
  problemsByNode,
  sendsBefore,
  setSettings,
  setTrigger,
  toDraft,
  updateStep,
} from '../src/journeys/journey-draft.ts';
import { FLEX_EXAMPLE } from '../src/journeys/message-values.ts';
import { defaultValues, type StepValues, stepOf } from '../src/journeys/step-fields.ts';

const COUPON = {
  id: 1,
  name: '次回10%OFF',
  description: '全商品にご利用いただけます',
  kind: 'percent_off',
  value: 10,
  freeItem: null,
  minSpend: 3000,
  validUntil: null,
  validDays: 30,
} as const;

const text = (t: string) => ({ type: 'text', text: t });

/** Every node type and variant, arms rejoining, an unknown top-level field and node labels. */
const branching = {
  trigger: { event: 'order.recorded' },
  key: 'orderId',
  reentry: { afterDays: 30 },
  quietHours: 'skip',
  holdoutPercent: 12.5,
  goal: { event: 'visit.recorded', withinDays: 14 },
  nodes: [
    { id: 'thanks', type: 'send', label: 'お礼', messages: [text('ありがとうございました')], next: 'bought' },
    { id: 'bought', type: 'waitForEvent', event: 'order.recorded', timeout: 'P7D', no: 'split', yes: 'tag' },
    { id: 'tag', type: 'action', action: { type: 'addTag', tag: 'repeat' }, next: 'end' },
    { id: 'split', type: 'branch', random: { percent: 50 }, yes: 'mail', no: 'vip' },
    { id: 'mail', type: 'send', channel: 'email', email: { templateId: 3 }, next: 'clicked' },
    { id: 'clicked', type: 'branch', clicked: { nodeId: 'mail', within: 'P3D' }, yes: 'end', no: 'later' },
    { id: 'later', type: 'wait', weekday: { day: 'sat', at: '10:00' }, next: 'points' },
    {
      id: 'points',
      type: 'action',
      action: { type: 'addPoints', points: 100, reason: '再来店' },
      next: 'end',
    },
    { id: 'vip', type: 'branch', condition: { tag: 'vip' }, yes: 'day3', no: 'end' },
    { id: 'day3', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'both' },
    {
      id: 'both',
      type: 'send',
      channel: 'line_then_email',
      messages: [text('またのご来店を')],
      email: { subject: 'ご案内', mjml: '<mjml><mj-body></mj-body></mjml>' },
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
} satisfies JourneyDefinitionView;

function definitions(): [string, JourneyDefinitionView][] {
  return [
    ...JOURNEY_TEMPLATES.map((t): [string, JourneyDefinitionView] => [
      t.id,
      t.definition as unknown as JourneyDefinitionView,
    ]),
    ['hand-written branching', branching],
  ];
}

/** The server's validator and the editor's own check (an exit reachable) both accept it. */
function expectValid(definition: JourneyDefinitionView) {
  expect(() => validateJourneyDefinition(structuredClone(definition))).not.toThrow();
  expect(graphProblems(definition)).toEqual([]);
}

/** One new step of each kind the editor adds. */
const NEW_STEPS: NewStep[] = [
  { type: 'send', messages: [text('こんにちは')] },
  { type: 'send', channel: 'email', email: { templateId: 1 } },
  { type: 'wait', duration: 'P3D' },
  { type: 'wait', until: { dayOffset: 3, at: '10:00' } },
  { type: 'waitForEvent', event: 'order.recorded', timeout: 'P7D' },
  { type: 'branch', condition: { tag: 'vip' } },
  { type: 'branch', random: { percent: 30 } },
  { type: 'action', action: { type: 'grantCoupon', templateId: 1 } },
  { type: 'action', action: { type: 'removeTag', tag: 'new' } },
  ...(
    [
      {
        kind: 'sendEmail',
        emailMode: 'inline',
        emailSubject: 'ご案内',
        emailMjml: '<mjml><mj-body/></mjml>',
      },
      {
        kind: 'sendBoth',
        messages: [{ type: 'text', text: 'またのご来店を' }],
        emailMode: 'template',
        emailTemplateId: 2,
      },
      {
        kind: 'sendLine',
        messages: [
          { type: 'text', text: 'ご案内' },
          { type: 'flex', json: FLEX_EXAMPLE },
        ],
      },
      { kind: 'sendLine', messages: [{ type: 'flex', json: JSON.stringify(couponFlexMessage(COUPON)) }] },
      {
        kind: 'sendBoth',
        messages: [{ type: 'text', text: 'どうぞ' }],
        emailMode: 'inline',
        emailSubject: 'ご案内',
        emailMjml: '<mjml/>',
      },
      {
        kind: 'action',
        actionType: 'setAttribute',
        attrName: 'favorite',
        attrType: 'text',
        attrText: '珈琲',
      },
      { kind: 'action', actionType: 'setAttribute', attrName: 'visits', attrType: 'number', attrNumber: 3 },
      { kind: 'action', actionType: 'setAttribute', attrName: 'dm', attrType: 'false' },
      { kind: 'action', actionType: 'setAttribute', attrName: 'note', attrType: 'empty' },
      { kind: 'action', actionType: 'linkRichMenu', richMenuId: 7 },
      { kind: 'action', actionType: 'unlinkRichMenu' },
    ] satisfies StepValues[]
  ).map((values) => stepOf({ ...defaultValues(values.kind), ...values }, null, [])),
];

function anchorsOf(draft: JourneyDraft): Anchor[] {
  return [
    { after: 'trigger' },
    ...draft.nodes.flatMap((n) => armsOf(n.type).map((arm) => ({ after: n.id, arm }))),
  ];
}

describe('definition → editor state → definition', () => {
  it.each(definitions())('%s comes back unchanged', (_name, definition) => {
    const before = structuredClone(definition);
    const draft = toDraft(definition);
    expect(fromDraft(draft)).toStrictEqual(before);
    // Twice over, and through JSON (what the API stores and answers).
    expect(fromDraft(toDraft(JSON.parse(JSON.stringify(fromDraft(draft)))))).toStrictEqual(before);
    expect(definition).toStrictEqual(before);
  });

  it('draws every edge of the branching journey once, yes before no', () => {
    const draft = toDraft(branching);
    expect(draft.edges.filter((e) => e.source === 'bought')).toEqual([
      { source: 'bought', arm: 'yes', target: 'tag' },
      { source: 'bought', arm: 'no', target: 'split' },
    ]);
    expect(draft.edges).toHaveLength(15);
    expect(draft.nodes.find((n) => n.id === 'thanks')?.data).toEqual({
      label: 'お礼',
      messages: [text('ありがとうございました')],
    });
  });
});

describe('editing keeps the journey valid', () => {
  it('builds friend-add → greeting → 3 days later at 10:00 → segment branch → message / exit from empty', () => {
    let draft = toDraft(emptyDefinition());
    expectValid(fromDraft(draft));
    const first = insertStep(draft, { after: 'trigger' }, { type: 'send', messages: [text('ようこそ')] });
    expect(first.id).toBe('send1');
    draft = first.draft;
    ({ draft } = insertStep(
      draft,
      { after: 'send1', arm: 'next' },
      { type: 'wait', until: { dayOffset: 3, at: '10:00' } },
    ));
    ({ draft } = insertStep(
      draft,
      { after: 'wait1', arm: 'next' },
      { type: 'branch', label: '購入者', condition: { tag: 'vip' } },
    ));
    ({ draft } = insertStep(
      draft,
      { after: 'branch1', arm: 'yes' },
      { type: 'send', messages: [text('特典です')] },
    ));
    expect(fromDraft(draft)).toStrictEqual({
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'send1', type: 'send', messages: [text('ようこそ')], next: 'wait1' },
        { id: 'wait1', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'branch1' },
        {
          id: 'branch1',
          type: 'branch',
          label: '購入者',
          condition: { tag: 'vip' },
          yes: 'send2',
          no: 'exit1',
        },
        { id: 'send2', type: 'send', messages: [text('特典です')], next: 'end' },
        { id: 'exit1', type: 'exit' },
        { id: 'end', type: 'exit' },
      ],
    });
    expectValid(fromDraft(draft));
  });

  it.each(definitions())('%s: a step of every kind on every edge is valid', (_name, definition) => {
    const draft = toDraft(definition);
    for (const at of anchorsOf(draft))
      for (const step of NEW_STEPS) {
        const { draft: next, id } = insertStep(draft, at, step);
        const saved = fromDraft(next);
        expectValid(saved);
        expect(saved.nodes).toHaveLength(definition.nodes.length + armsOf(step.type).length);
        // The new step sits on the edge: what the edge led to follows it.
        const before = 'arm' in at ? nodeOf(draft, at.after)?.[at.arm] : definition.nodes[0]?.id;
        const added = nodeOf(next, id);
        expect(added?.next ?? added?.yes).toBe(before);
        if (!('arm' in at)) expect(saved.nodes[0]?.id).toBe(id);
      }
  });

  it.each(definitions())(
    '%s: a click branch on every edge, naming each message before it, is valid',
    (_name, definition) => {
      const draft = toDraft(definition);
      const sends = definition.nodes.filter((n) => n.type === 'send').map((n) => n.id);
      let inserted = 0;
      for (const at of anchorsOf(draft)) {
        const before = sendsBefore(draft, at);
        for (const nodeId of sends) {
          const values = {
            ...defaultValues('branch'),
            branchMode: 'clicked',
            clickedNodeId: nodeId,
          } as const;
          const step = stepOf(values, null, []);
          expect(step).toEqual({ type: 'branch', clicked: { nodeId, within: 'P3D' } });
          const saved = fromDraft(insertStep(draft, at, step).draft);
          // Offered (a message before this point) exactly when the server accepts it.
          if (before.includes(nodeId)) {
            expectValid(saved);
            inserted++;
          } else expect(() => validateJourneyDefinition(structuredClone(saved))).toThrow(/clicked\.nodeId/);
        }
      }
      if (sends.length) expect(inserted).toBeGreaterThan(0);
    },
  );

  it.each(definitions())(
    '%s: deleting any step reconnects its successor or is refused',
    (_name, definition) => {
      const draft = toDraft(definition);
      for (const node of definition.nodes) {
        const next = deleteStep(draft, node.id);
        if (node.type === 'exit') expect(next).toBe(draft);
        if (next === draft) continue;
        expect(canDelete(draft, node.id)).toBe(true);
        const saved = fromDraft(next);
        expectValid(saved);
        expect(saved.nodes.map((n) => n.id)).not.toContain(node.id);
        // Whoever led to the deleted step now leads to its (first) successor.
        const successor = node.next ?? node.yes;
        for (const from of definition.nodes)
          for (const arm of armsOf(from.type))
            if (from[arm] === node.id && from.id !== node.id)
              expect(nodeOf(next, from.id)?.[arm]).toBe(successor);
      }
    },
  );

  it('deletes the first step (its successor becomes the start) and a branch with its "no" arm', () => {
    const draft = toDraft(branching);
    const first = fromDraft(deleteStep(draft, 'thanks'));
    expect(first.nodes[0]?.id).toBe('bought');
    const noBranch = fromDraft(deleteStep(draft, 'vip'));
    // The random split's "no" now goes where vip's "yes" went; nothing else is lost.
    expect(noBranch.nodes.find((n) => n.id === 'split')?.no).toBe('day3');
    expect(noBranch.nodes).toHaveLength(branching.nodes.length - 1);
    // Deleting the split drops its "no" arm (vip, day3, both), which nothing else reaches.
    const noSplit = fromDraft(deleteStep(draft, 'split'));
    expect(noSplit.nodes.map((n) => n.id)).toEqual([
      'thanks',
      'bought',
      'tag',
      'mail',
      'clicked',
      'later',
      'points',
      'end',
    ]);
    expectValid(noSplit);
  });

  it('refuses to delete an exit, or a message a click branch is about', () => {
    const draft = toDraft(branching);
    expect(canDelete(draft, 'end')).toBe(false);
    expect(canDelete(draft, 'mail')).toBe(false);
    expect(deleteStep(draft, 'mail')).toBe(draft);
    expect(canDelete(draft, 'later')).toBe(true);
  });

  it('edits a step without touching its edges, and the trigger, goal and re-entry', () => {
    let draft = toDraft(branching);
    const node = nodeOf(draft, 'day3');
    if (!node) throw new Error('no day3');
    draft = updateStep(draft, 'day3', { ...node, until: { dayOffset: 7, at: '09:30' }, next: 'ignored' });
    expect(nodeOf(draft, 'day3')).toEqual({
      id: 'day3',
      type: 'wait',
      until: { dayOffset: 7, at: '09:30' },
      next: 'both',
    });
    draft = setTrigger(draft, { date: 'days_since_last', of: 'visits', days: 60 });
    draft = setSettings(draft, { reentry: 'after_exit', goal: undefined });
    const saved = fromDraft(draft);
    expect(saved.trigger).toEqual({ date: 'days_since_last', of: 'visits', days: 60 });
    // The order trigger's run key does not fit a date trigger: it goes with it.
    expect(saved.key).toBeUndefined();
    expect(saved.goal).toBeUndefined();
    expect(saved.reentry).toBe('after_exit');
    expectValid(saved);
  });

  it("renders the flex example and a coupon message with the server's Liquid for every synthetic customer", async () => {
    const messages = [JSON.parse(FLEX_EXAMPLE), couponFlexMessage(COUPON)];
    const { compiled, problems } = compileContent(messages, 'messages');
    expect(problems).toEqual([]);
    expect(compiled.fields.length).toBeGreaterThanOrEqual(2);
    const codes = [];
    for (const customer of SYNTHETIC_CUSTOMERS) {
      const [, coupon] = (await renderContent(compiled, customer)) as [unknown, unknown];
      codes.push(JSON.stringify(coupon).includes(customer.coupon?.code ?? '会員証でご確認ください'));
    }
    expect(codes).toEqual(SYNTHETIC_CUSTOMERS.map(() => true));
  });

  it('sets quiet hours to skip and a holdout of 12.5%, and removes the holdout again', () => {
    let draft = toDraft(emptyDefinition());
    draft = setSettings(draft, { quietHours: 'skip', holdoutPercent: 12.5 });
    expect(fromDraft(draft)).toMatchObject({ quietHours: 'skip', holdoutPercent: 12.5 });
    expectValid(fromDraft(draft));
    draft = setSettings(draft, { quietHours: 'hold', holdoutPercent: undefined });
    expect(fromDraft(draft)).toStrictEqual(emptyDefinition());
  });

  it('names a node for each server problem by its JSON path', () => {
    const byNode = problemsByNode(branching, [
      { path: 'nodes[4].email.templateId', message: 'no email template 3 in this workspace' },
      { path: 'trigger.segmentId', message: 'must be an integer' },
    ]);
    expect(byNode.get('mail')).toEqual(['nodes[4].email.templateId: no email template 3 in this workspace']);
    expect(byNode.get('')).toEqual(['trigger.segmentId: must be an integer']);
  });
});
