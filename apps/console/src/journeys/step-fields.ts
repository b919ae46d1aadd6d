// A step's form values and the node they make, both ways: what the step form shows for a node,
// and the node the form's values give. Pure, so the forms of the step list and the flow chart
// are the same and a field the form does not show (a flex message, a label) is kept.
import { type JourneyNodeView, messageText, parseDuration } from './definition-view.ts';
import type { NewStep } from './journey-draft.ts';

export type StepKind = 'sendLine' | 'sendEmail' | 'wait' | 'waitForEvent' | 'branch' | 'action';
export const STEP_KINDS: readonly StepKind[] = [
  'sendLine',
  'sendEmail',
  'wait',
  'waitForEvent',
  'branch',
  'action',
];
export type ActionKind = 'grantCoupon' | 'addPoints' | 'addTag' | 'removeTag';

export interface StepValues {
  kind: StepKind;
  texts?: string[];
  emailTemplateId?: number;
  waitMode?: 'duration' | 'until' | 'weekday';
  days?: number;
  hours?: number;
  at?: string;
  weekday?: string;
  event?: string;
  withinDays?: number;
  branchMode?: 'segment' | 'random' | 'keep';
  segmentId?: number;
  percent?: number;
  actionType?: ActionKind;
  couponId?: number;
  points?: number;
  tag?: string;
}

export interface SegmentChoice {
  id: number;
  name: string;
  definition: unknown;
}

/** What the step form offers to choose from: the workspace's segments, coupons, email templates. */
export interface StepChoices {
  segments: readonly SegmentChoice[];
  coupons: readonly { id: number; name: string }[];
  emailTemplates: readonly { id: number; name: string }[];
}

/** The events a wait-for-event step offers (「7日以内に購入があったか」). */
export const WAIT_EVENTS = [
  'order.recorded',
  'visit.recorded',
  'loyalty.coupon_redeemed',
  'loyalty.stamp_card_completed',
] as const;

/** The form's kind for a node, or null when the form cannot show it (it can still be deleted). */
export function kindOf(node: JourneyNodeView): StepKind | null {
  switch (node.type) {
    case 'send':
      if (node.channel === 'email') return node.email && 'templateId' in node.email ? 'sendEmail' : null;
      return (node.messages ?? []).some((m) => messageText(m) !== null) ? 'sendLine' : null;
    case 'wait':
    case 'waitForEvent':
    case 'branch':
      return node.type;
    case 'action':
      return ['grantCoupon', 'addPoints', 'addTag', 'removeTag'].includes(node.action?.type ?? '')
        ? 'action'
        : null;
    default:
      return null;
  }
}

function segmentOf(node: JourneyNodeView, segments: readonly SegmentChoice[]): number | undefined {
  if (!node.condition || !node.label) return undefined;
  const condition = JSON.stringify(node.condition);
  return segments.find((s) => s.name === node.label && JSON.stringify(s.definition) === condition)?.id;
}

/** What the form shows for a node. */
export function valuesOf(node: JourneyNodeView, segments: readonly SegmentChoice[]): StepValues {
  const kind = kindOf(node) ?? 'sendLine';
  switch (kind) {
    case 'sendLine':
      return { kind, texts: (node.messages ?? []).map((m) => messageText(m) ?? '') };
    case 'sendEmail':
      return { kind, emailTemplateId: (node.email as { templateId: number }).templateId };
    case 'wait': {
      if (node.until) return { kind, waitMode: 'until', days: node.until.dayOffset, at: node.until.at };
      if (node.weekday) return { kind, waitMode: 'weekday', weekday: node.weekday.day, at: node.weekday.at };
      const d = parseDuration(node.duration ?? '') ?? { days: 0, hours: 0 };
      return { kind, waitMode: 'duration', days: d.days, hours: Math.round(d.hours) };
    }
    case 'waitForEvent': {
      const d = parseDuration(node.timeout ?? '') ?? { days: 7, hours: 0 };
      return { kind, event: node.event, withinDays: Math.max(1, Math.round(d.days + d.hours / 24)) };
    }
    case 'branch': {
      if (node.random) return { kind, branchMode: 'random', percent: node.random.percent };
      const segmentId = segmentOf(node, segments);
      return segmentId !== undefined
        ? { kind, branchMode: 'segment', segmentId }
        : { kind, branchMode: 'keep' };
    }
    case 'action': {
      const a = node.action ?? { type: 'addTag' };
      return {
        kind,
        actionType: a.type as ActionKind,
        ...(a.templateId !== undefined ? { couponId: a.templateId } : {}),
        ...(a.points !== undefined ? { points: a.points } : {}),
        ...(a.tag !== undefined ? { tag: a.tag } : {}),
      };
    }
  }
}

/** Initial values of a new step of a kind. */
export function defaultValues(kind: StepKind): StepValues {
  switch (kind) {
    case 'sendLine':
      return { kind, texts: [''] };
    case 'wait':
      return { kind, waitMode: 'until', days: 3, at: '10:00', hours: 0 };
    case 'waitForEvent':
      return { kind, event: 'order.recorded', withinDays: 7 };
    case 'branch':
      return { kind, branchMode: 'segment', percent: 50 };
    case 'action':
      return { kind, actionType: 'grantCoupon', points: 100 };
    default:
      return { kind };
  }
}

/** P3D, PT2H, P1DT12H (never P0D: the form asks for at least an hour). */
export function durationOf(days: number, hours: number): string {
  return `P${days > 0 ? `${days}D` : ''}${hours > 0 ? `T${hours}H` : ''}`;
}

/**
 * The node the form's values make. Editing (`base` given) keeps the node's label, its LINE
 * channel and its messages that are not text; a branch left as it was stays as it was.
 */
export function stepOf(
  values: StepValues,
  base: JourneyNodeView | null,
  segments: readonly SegmentChoice[],
): NewStep {
  const label = base?.label !== undefined ? { label: base.label } : {};
  switch (values.kind) {
    case 'sendLine': {
      const texts = values.texts ?? [];
      if (!base) return { type: 'send', messages: texts.map((text) => ({ type: 'text', text })) };
      const { id: _i, next: _n, ...rest } = base;
      const messages = (base.messages ?? []).map((m, i) =>
        messageText(m) !== null ? { ...(m as object), text: texts[i] ?? '' } : m,
      );
      return { ...rest, messages };
    }
    case 'sendEmail':
      return {
        ...label,
        type: 'send',
        channel: 'email',
        email: { templateId: values.emailTemplateId },
      } as NewStep;
    case 'wait':
      if (values.waitMode === 'until')
        return { ...label, type: 'wait', until: { dayOffset: values.days ?? 0, at: values.at ?? '10:00' } };
      if (values.waitMode === 'weekday')
        return {
          ...label,
          type: 'wait',
          weekday: { day: values.weekday ?? 'mon', at: values.at ?? '10:00' },
        };
      return { ...label, type: 'wait', duration: durationOf(values.days ?? 0, values.hours ?? 0) };
    case 'waitForEvent':
      return {
        ...label,
        type: 'waitForEvent',
        event: values.event ?? 'order.recorded',
        timeout: `P${values.withinDays ?? 7}D`,
      };
    case 'branch': {
      if (values.branchMode === 'keep' && base) {
        const { id: _i, yes: _y, no: _n, ...rest } = base;
        return rest;
      }
      if (values.branchMode === 'random')
        return { ...label, type: 'branch', random: { percent: values.percent ?? 50 } };
      const segment = segments.find((s) => s.id === values.segmentId);
      return { type: 'branch', label: segment?.name ?? '', condition: segment?.definition };
    }
    case 'action': {
      // An unchanged kind of action keeps what the form does not show (addPoints' reason).
      const action = actionOf(values);
      return {
        ...label,
        type: 'action',
        action: base?.action?.type === action.type ? { ...base.action, ...action } : action,
      };
    }
  }
}

function actionOf(values: StepValues): NonNullable<JourneyNodeView['action']> {
  switch (values.actionType ?? 'addTag') {
    case 'grantCoupon':
      return { type: 'grantCoupon', templateId: values.couponId ?? 0 };
    case 'addPoints':
      return { type: 'addPoints', points: values.points ?? 0 };
    case 'addTag':
      return { type: 'addTag', tag: values.tag ?? '' };
    case 'removeTag':
      return { type: 'removeTag', tag: values.tag ?? '' };
  }
}
