// The words a shop reads for a journey's trigger, timings and nodes, in the chosen language.
import type { Lang } from '../i18n/messages.ts';
import type { JourneyNodeView, StepTiming } from './definition-view.ts';
import { EVENT_NAMES, type journeyMessages, REASON_NAMES, WEEKDAY_NAMES } from './messages.ts';

export type JourneyT = (
  key: keyof (typeof journeyMessages)['ja'],
  vars?: Readonly<Record<string, string | number>>,
) => string;

export function eventName(event: string, lang: Lang): string {
  return EVENT_NAMES[lang][event] ?? event;
}

export function reasonName(reason: string, lang: Lang): string {
  return REASON_NAMES[lang][reason] ?? reason;
}

export function triggerLabel(trigger: Record<string, unknown>, t: JourneyT, lang: Lang): string {
  const days = Number(trigger.days ?? trigger.daysBefore ?? 0);
  switch (trigger.event ?? `date:${String(trigger.date)}`) {
    case 'line.friend_added':
      if (trigger.refollow === true) return t('triggerRefollow');
      if (trigger.refollow === false) return t('triggerFirstFollow');
      return t('triggerFriendAdded');
    case 'segment.entered':
      return t('triggerSegmentEntered', { id: String(trigger.segmentId) });
    case 'segment.exited':
      return t('triggerSegmentExited', { id: String(trigger.segmentId) });
    case 'order.recorded':
      return t('triggerOrder');
    case 'visit.recorded':
      return t('triggerVisit');
    case 'line.postback':
      return t('triggerPostback', { action: String(trigger.action ?? '') });
    case 'date:birthday':
      return days === 0 ? t('triggerBirthdayDay') : t('triggerBirthday', { days });
    case 'date:anniversary':
      return t('triggerAnniversary');
    case 'date:days_since_last':
      return t(trigger.of === 'visits' ? 'triggerDaysSinceVisit' : 'triggerDaysSinceOrder', { days });
    case 'date:visit_cycle':
      return t('triggerVisitCycle');
    default:
      return t('triggerOther', { event: eventName(String(trigger.event ?? trigger.date), lang) });
  }
}

/** 「友だち追加直後」「3日後 10:00」「7日後」: when a step happens, counted from the entry. */
export function timingLabel(timing: StepTiming, trigger: string | null, t: JourneyT, lang: Lang): string {
  if (timing.immediate) return trigger ? t('immediately', { trigger }) : t('atEntry');
  if (timing.weekday)
    return t('weekdayAt', {
      day: WEEKDAY_NAMES[lang][timing.weekday] ?? timing.weekday,
      at: timing.at ?? '',
    });
  const hours = Math.round(timing.hours * 10) / 10;
  if (hours > 0)
    return timing.days > 0 ? t('daysHoursAfter', { days: timing.days, hours }) : t('hoursAfter', { hours });
  if (timing.days === 0) return timing.at ? t('sameDayAt', { at: timing.at }) : t('atEntry');
  return timing.at
    ? t('daysAfterAt', { days: timing.days, at: timing.at })
    : t('daysAfter', { days: timing.days });
}

const NODE_TYPE_KEYS = {
  send: 'nodeSend',
  wait: 'nodeWait',
  waitForEvent: 'nodeWaitForEvent',
  branch: 'nodeBranch',
  action: 'nodeAction',
  exit: 'nodeExit',
} as const;

export function nodeTypeLabel(type: string, t: JourneyT): string {
  const key = NODE_TYPE_KEYS[type as keyof typeof NODE_TYPE_KEYS];
  return key ? t(key) : type;
}

/** P3D → 3日, PT2H → 2時間 (the ISO form stays for what is not days and hours). */
export function durationLabel(iso: string, t: JourneyT): string {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?)?$/.exec(iso);
  if (!match || iso === 'P') return iso;
  const parts = [];
  if (match[1]) parts.push(`${match[1]}${t('durationDays')}`);
  if (match[2]) parts.push(`${match[2]}${t('durationHours')}`);
  return parts.join(' ') || iso;
}

/** One line saying what a node that is not a message does. */
export function nodeSummary(
  node: JourneyNodeView,
  t: JourneyT,
  lang: Lang,
  couponNames?: ReadonlyMap<number, string>,
): string {
  switch (node.type) {
    case 'wait':
      if (node.until) return t('waitUntil', { days: node.until.dayOffset, at: node.until.at });
      if (node.weekday)
        return t('waitWeekday', {
          day: WEEKDAY_NAMES[lang][node.weekday.day] ?? node.weekday.day,
          at: node.weekday.at,
        });
      return t('waitDuration', { value: durationLabel(node.duration ?? '', t) });
    case 'waitForEvent':
      return t('waitForEventValue', {
        event: eventName(node.event ?? '', lang),
        timeout: durationLabel(node.timeout ?? '', t),
      });
    case 'branch':
      if (node.clicked)
        return t('branchClicked', {
          node: node.clicked.nodeId,
          within: durationLabel(node.clicked.within, t),
        });
      return node.random ? t('branchRandom', { percent: node.random.percent }) : t('branchCondition');
    case 'action':
      return actionSummary(node.action, t, couponNames);
    case 'exit':
      return t('exitValue');
    default:
      return nodeTypeLabel(node.type, t);
  }
}

function actionSummary(
  action: JourneyNodeView['action'],
  t: JourneyT,
  couponNames?: ReadonlyMap<number, string>,
): string {
  switch (action?.type) {
    case 'grantCoupon':
      return action.templateId !== undefined && couponNames?.has(action.templateId)
        ? t('actionGrantNamedCoupon', { name: couponNames.get(action.templateId) ?? '' })
        : t('actionGrantCoupon', { id: action.templateId ?? '' });
    case 'addPoints':
      return t('actionAddPoints', { points: action.points ?? 0 });
    case 'addTag':
      return t('actionAddTag', { tag: action.tag ?? '' });
    case 'removeTag':
      return t('actionRemoveTag', { tag: action.tag ?? '' });
    case 'setAttribute':
      return t('actionSetAttribute', { name: action.name ?? '' });
    case 'linkRichMenu':
      return t('actionLinkRichMenu');
    case 'unlinkRichMenu':
      return t('actionUnlinkRichMenu');
    default:
      return action?.type ?? '';
  }
}

/** Solid tags in dark shades: Ant Design's light green and orange tags fall below 4.5:1. */
export const TAG_COLORS = { green: '#237804', orange: '#ad4e00', red: '#a8071a', blue: '#0958d9' } as const;

export const STATUS_COLORS: Record<string, string> = {
  draft: 'default',
  live: TAG_COLORS.green,
  paused: TAG_COLORS.orange,
  archived: 'default',
};

const STATUS_KEYS = {
  draft: 'statusDraft',
  live: 'statusLive',
  paused: 'statusPaused',
  archived: 'statusArchived',
} as const;

export function statusLabel(status: keyof typeof STATUS_KEYS, t: JourneyT): string {
  return t(STATUS_KEYS[status]);
}
