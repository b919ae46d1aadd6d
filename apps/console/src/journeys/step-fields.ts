// A step's form values and the node they make, both ways: what the step form shows for a node,
// and the node the form's values give. Pure, so the forms of the step list and the flow chart
// are the same and a field the form does not show (a label, a line_then_email's channel id) is kept.

import { ACTION_KINDS, type ActionValues, actionOf, actionValuesOf } from './action-fields.ts';
import type { CouponChoice } from './coupon-message.ts';
import { type JourneyNodeView, parseDuration } from './definition-view.ts';
import type { NewStep } from './journey-draft.ts';
import { type MessageValue, messagesOf, messageValuesOf } from './message-values.ts';

export type StepKind = 'sendLine' | 'sendEmail' | 'sendBoth' | 'wait' | 'waitForEvent' | 'branch' | 'action';
export const STEP_KINDS: readonly StepKind[] = [
  'sendLine',
  'sendEmail',
  'sendBoth',
  'wait',
  'waitForEvent',
  'branch',
  'action',
];
export interface StepValues extends ActionValues {
  kind: StepKind;
  /** A LINE step's messages: texts, flex JSON, others kept (message-values.ts). */
  messages?: MessageValue[];
  /** An email from a saved template, or written in the step (subject and MJML). */
  emailMode?: 'template' | 'inline';
  emailTemplateId?: number;
  emailSubject?: string;
  emailMjml?: string;
  waitMode?: 'duration' | 'until' | 'weekday';
  days?: number;
  hours?: number;
  at?: string;
  weekday?: string;
  event?: string;
  withinDays?: number;
  branchMode?: 'segment' | 'random' | 'clicked' | 'keep';
  segmentId?: number;
  percent?: number;
  /** A click branch: the message (send node) and the window, in days and hours. */
  clickedNodeId?: string;
  clickedDays?: number;
  clickedHours?: number;
}

export interface SegmentChoice {
  id: number;
  name: string;
  definition: unknown;
}

/**
 * What the step form offers to choose from: the workspace's segments, coupons, email templates and
 * rich menus, and the messages a click branch at this place may name.
 */
export interface StepChoices {
  segments: readonly SegmentChoice[];
  coupons: readonly CouponChoice[];
  emailTemplates: readonly { id: number; name: string }[];
  richMenus: readonly { id: number; name: string }[];
  /** The send nodes that lead to the step being added or edited (journey-draft's sendsBefore). */
  messages: readonly { id: string; name: string }[];
}

/** Largest window of a click branch (the server's P90D). */
export const MAX_CLICK_DAYS = 90;

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
      if (node.channel === 'email') return node.email ? 'sendEmail' : null;
      if (node.channel === 'line_then_email') return node.email ? 'sendBoth' : null;
      return 'sendLine';
    case 'wait':
    case 'waitForEvent':
    case 'branch':
      return node.type;
    case 'action':
      return (ACTION_KINDS as readonly string[]).includes(node.action?.type ?? '') ? 'action' : null;
    default:
      return null;
  }
}

function segmentOf(node: JourneyNodeView, segments: readonly SegmentChoice[]): number | undefined {
  if (!node.condition || !node.label) return undefined;
  const condition = JSON.stringify(node.condition);
  return segments.find((s) => s.name === node.label && JSON.stringify(s.definition) === condition)?.id;
}

function emailValuesOf(email: JourneyNodeView['email']): Partial<StepValues> {
  return email?.templateId !== undefined
    ? { emailMode: 'template', emailTemplateId: email.templateId }
    : { emailMode: 'inline', emailSubject: email?.subject ?? '', emailMjml: email?.mjml ?? '' };
}

/** What the form shows for a node. */
export function valuesOf(node: JourneyNodeView, segments: readonly SegmentChoice[]): StepValues {
  const kind = kindOf(node) ?? 'sendLine';
  const messages = messageValuesOf(node.messages ?? []);
  switch (kind) {
    case 'sendLine':
      return { kind, messages };
    case 'sendEmail':
      return { kind, ...emailValuesOf(node.email) };
    case 'sendBoth':
      return { kind, messages, ...emailValuesOf(node.email) };
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
    case 'branch':
      return { kind, ...branchValuesOf(node, segments) };
    case 'action':
      return { kind, ...actionValuesOf(node.action ?? { type: 'addTag' }) };
  }
}

function branchValuesOf(node: JourneyNodeView, segments: readonly SegmentChoice[]): Partial<StepValues> {
  if (node.random) return { branchMode: 'random', percent: node.random.percent };
  if (node.clicked) {
    const d = parseDuration(node.clicked.within);
    // A window in minutes (PT90M) is not what the form writes: kept as it is.
    if (!d || !Number.isInteger(d.hours)) return { branchMode: 'keep' };
    return {
      branchMode: 'clicked',
      clickedNodeId: node.clicked.nodeId,
      clickedDays: d.days,
      clickedHours: d.hours,
    };
  }
  const segmentId = segmentOf(node, segments);
  return segmentId !== undefined ? { branchMode: 'segment', segmentId } : { branchMode: 'keep' };
}

/** Initial values of a new step of a kind. */
export function defaultValues(kind: StepKind): StepValues {
  switch (kind) {
    case 'sendLine':
      return { kind, messages: [{ type: 'text', text: '' }] };
    case 'sendEmail':
      return { kind, emailMode: 'template' };
    case 'sendBoth':
      return { kind, messages: [{ type: 'text', text: '' }], emailMode: 'template' };
    case 'wait':
      return { kind, waitMode: 'until', days: 3, at: '10:00', hours: 0 };
    case 'waitForEvent':
      return { kind, event: 'order.recorded', withinDays: 7 };
    case 'branch':
      return { kind, branchMode: 'segment', percent: 50, clickedDays: 3, clickedHours: 0 };
    case 'action':
      return { kind, actionType: 'grantCoupon', points: 100, attrType: 'text' };
  }
}

/** P3D, PT2H, P1DT12H (never P0D: the form asks for at least an hour). */
export function durationOf(days: number, hours: number): string {
  return `P${days > 0 ? `${days}D` : ''}${hours > 0 ? `T${hours}H` : ''}`;
}

function emailOf(values: StepValues): NonNullable<JourneyNodeView['email']> {
  return values.emailMode === 'inline'
    ? { subject: values.emailSubject ?? '', mjml: values.emailMjml ?? '' }
    : { templateId: values.emailTemplateId ?? 0 };
}

/**
 * The node the form's values make. Editing (`base` given) keeps the node's label and its LINE
 * channel; a branch left as it was stays as it was.
 */
export function stepOf(
  values: StepValues,
  base: JourneyNodeView | null,
  segments: readonly SegmentChoice[],
): NewStep {
  const label = base?.label !== undefined ? { label: base.label } : {};
  // A message keeps every field the form does not show (its LINE channel, its label).
  const { id: _i, next: _n, yes: _y, no: _no, ...kept } = base ?? { id: '' };
  switch (values.kind) {
    case 'sendLine':
      return { ...kept, type: 'send', messages: messagesOf(values.messages ?? []) };
    case 'sendEmail':
      return { ...label, type: 'send', channel: 'email', email: emailOf(values) };
    case 'sendBoth':
      return {
        ...kept,
        type: 'send',
        channel: 'line_then_email',
        messages: messagesOf(values.messages ?? []),
        email: emailOf(values),
      };
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
    case 'branch':
      return branchOf(values, base, segments, label);
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

function branchOf(
  values: StepValues,
  base: JourneyNodeView | null,
  segments: readonly SegmentChoice[],
  label: { label?: string },
): NewStep {
  if (values.branchMode === 'keep' && base) {
    const { id: _i, yes: _y, no: _n, ...rest } = base;
    return rest;
  }
  if (values.branchMode === 'random')
    return { ...label, type: 'branch', random: { percent: values.percent ?? 50 } };
  if (values.branchMode === 'clicked')
    return {
      ...label,
      type: 'branch',
      clicked: {
        nodeId: values.clickedNodeId ?? '',
        within: durationOf(values.clickedDays ?? 0, values.clickedHours ?? 0),
      },
    };
  const segment = segments.find((s) => s.id === values.segmentId);
  return { type: 'branch', label: segment?.name ?? '', condition: segment?.definition };
}
