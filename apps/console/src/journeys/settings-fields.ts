// The journey's start and end settings as a form shows them, both ways: the trigger
// (friend-add, segment entry, order, birthday, N days since the last order or visit, visit cycle),
// the re-entry policy, the goal, and the journey's send policy: what a send in quiet hours does
// (hold or skip) and the holdout (control group). Pure; a trigger the form has no choice for is
// kept as it is.
export type TriggerKind =
  | 'friend'
  | 'segment'
  | 'order'
  | 'birthday'
  | 'sinceOrder'
  | 'sinceVisit'
  | 'visitCycle'
  | 'other';
export const TRIGGER_KINDS: readonly Exclude<TriggerKind, 'other'>[] = [
  'friend',
  'segment',
  'order',
  'birthday',
  'sinceOrder',
  'sinceVisit',
  'visitCycle',
];

export interface SettingsValues {
  triggerKind: TriggerKind;
  follow?: 'all' | 'first' | 'refollow';
  segmentId?: number;
  daysBefore?: number;
  days?: number;
  cycleOf?: 'visits' | 'orders';
  reentry: 'never' | 'after_exit' | 'afterDays';
  reentryDays?: number;
  goalOn: boolean;
  goalEvent?: string;
  goalDays?: number;
  quietHours: 'hold' | 'skip';
  holdoutOn: boolean;
  holdoutPercent?: number;
}

/** The server's rule: 0–50 with at most two decimals. */
export function validHoldout(percent: unknown): boolean {
  return (
    typeof percent === 'number' &&
    percent >= 0 &&
    percent <= 50 &&
    Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-9
  );
}

export function triggerKindOf(trigger: Record<string, unknown>): TriggerKind {
  if (trigger.event === 'line.friend_added') return 'friend';
  if (trigger.event === 'segment.entered') return 'segment';
  if (trigger.event === 'order.recorded') return 'order';
  if (trigger.date === 'birthday') return 'birthday';
  if (trigger.date === 'days_since_last') return trigger.of === 'visits' ? 'sinceVisit' : 'sinceOrder';
  if (trigger.date === 'visit_cycle') return 'visitCycle';
  return 'other';
}

export function settingsValuesOf(
  trigger: Record<string, unknown>,
  settings: Record<string, unknown>,
): SettingsValues {
  const reentry = settings.reentry;
  const goal = settings.goal as { event: string; withinDays: number } | undefined;
  return {
    triggerKind: triggerKindOf(trigger),
    follow: trigger.refollow === true ? 'refollow' : trigger.refollow === false ? 'first' : 'all',
    ...(typeof trigger.segmentId === 'number' ? { segmentId: trigger.segmentId } : {}),
    daysBefore: typeof trigger.daysBefore === 'number' ? trigger.daysBefore : 0,
    days: typeof trigger.days === 'number' ? trigger.days : 180,
    cycleOf: trigger.of === 'orders' ? 'orders' : 'visits',
    reentry:
      typeof reentry === 'object' && reentry !== null
        ? 'afterDays'
        : reentry === 'after_exit'
          ? 'after_exit'
          : 'never',
    reentryDays:
      typeof reentry === 'object' && reentry !== null ? (reentry as { afterDays: number }).afterDays : 30,
    goalOn: goal !== undefined,
    goalEvent: goal?.event ?? 'order.recorded',
    goalDays: goal?.withinDays ?? 7,
    quietHours: settings.quietHours === 'skip' ? 'skip' : 'hold',
    holdoutOn: typeof settings.holdoutPercent === 'number',
    holdoutPercent: typeof settings.holdoutPercent === 'number' ? settings.holdoutPercent : 10,
  };
}

/** The trigger the values make (`current` when the form kept a trigger it cannot show). */
export function triggerOf(values: SettingsValues, current: Record<string, unknown>): Record<string, unknown> {
  switch (values.triggerKind) {
    case 'friend':
      return values.follow === 'first'
        ? { event: 'line.friend_added', refollow: false }
        : values.follow === 'refollow'
          ? { event: 'line.friend_added', refollow: true }
          : { event: 'line.friend_added' };
    case 'segment':
      return { event: 'segment.entered', segmentId: values.segmentId };
    case 'order':
      return { event: 'order.recorded' };
    case 'birthday':
      return { date: 'birthday', daysBefore: values.daysBefore ?? 0 };
    case 'sinceOrder':
      return { date: 'days_since_last', of: 'orders', days: values.days ?? 180 };
    case 'sinceVisit':
      return { date: 'days_since_last', of: 'visits', days: values.days ?? 180 };
    case 'visitCycle':
      return { date: 'visit_cycle', of: values.cycleOf ?? 'visits' };
    case 'other':
      return current;
  }
}

/** reentry, goal, quietHours and holdoutPercent; `undefined` removes the goal or the holdout. */
export function settingsOf(values: SettingsValues): Record<string, unknown> {
  return {
    quietHours: values.quietHours,
    holdoutPercent: values.holdoutOn ? (values.holdoutPercent ?? 0) : undefined,
    reentry: values.reentry === 'afterDays' ? { afterDays: values.reentryDays ?? 30 } : values.reentry,
    goal: values.goalOn
      ? { event: values.goalEvent ?? 'order.recorded', withinDays: values.goalDays ?? 7 }
      : undefined,
  };
}

/** The same trigger, field for field (a re-save of unchanged settings keeps the object). */
export function sameTrigger(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
