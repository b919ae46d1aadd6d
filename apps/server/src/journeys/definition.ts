// The shape of a journey version's definition (JSON, stored in journey_version.definition).
// validate-definition.ts turns untrusted JSON into this type, naming the path of every problem.
import type { DomainEventType } from '../domain-events/event-map.ts';
import type { EmailSource } from '../email/email-source.ts';
import type { RuleNode } from '../segments/rule-tree.ts';

/** The event triggers: a run starts when the customer's event is read from the stream. */
export const EVENT_TRIGGERS = [
  'line.friend_added',
  'line.postback',
  'segment.entered',
  'segment.exited',
  'order.recorded',
  'visit.recorded',
  'loyalty.stamp_card_one_to_go',
  'loyalty.stamp_card_completed',
  'loyalty.points_expiring',
  'loyalty.tier_changed',
  'loyalty.coupon_granted',
  'loyalty.coupon_redeemed',
] as const satisfies readonly DomainEventType[];
export type EventTriggerType = (typeof EVENT_TRIGGERS)[number];

/** The payload fields an event trigger may use as its run key, per event. */
export const KEY_FIELDS: Partial<Record<EventTriggerType, readonly string[]>> = {
  'order.recorded': ['orderId', 'externalId'],
  'visit.recorded': ['visitId', 'externalId'],
  'segment.entered': ['segmentId'],
  'segment.exited': ['segmentId'],
  'loyalty.stamp_card_completed': ['cardId'],
  'loyalty.stamp_card_one_to_go': ['cardId'],
  'loyalty.points_expiring': ['expiresOn'],
  'loyalty.tier_changed': ['tierChangeId', 'to'],
  'loyalty.coupon_granted': ['couponId'],
  'loyalty.coupon_redeemed': ['couponId'],
};

export type EventTrigger =
  | { event: 'line.friend_added'; refollow?: boolean }
  /** A rich menu area (or button) whose postback data has `action=<action>` (リッチメニューのタップ). */
  | { event: 'line.postback'; action: string }
  | { event: 'segment.entered' | 'segment.exited'; segmentId: number }
  | {
      event: Exclude<
        EventTriggerType,
        'line.friend_added' | 'line.postback' | 'segment.entered' | 'segment.exited'
      >;
    };

/** Date triggers, evaluated once a JST day (date-triggers.ts). */
export type DateTrigger =
  | { date: 'birthday'; daysBefore: number }
  | { date: 'anniversary' }
  | { date: 'days_since_last'; of: 'orders' | 'visits'; days: number }
  | { date: 'visit_cycle'; of: 'orders' | 'visits' };

export type Trigger = EventTrigger | DateTrigger;

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A wait: a duration, a JST day offset at a time of day, or the next given weekday at a time. */
export type WaitSpec =
  | { duration: string }
  | { until: { dayOffset: number; at: string } }
  | { weekday: { day: Weekday; at: string } };

export type Action =
  | { type: 'grantCoupon'; templateId: number }
  | { type: 'addPoints'; points: number; reason?: string }
  | { type: 'addTag'; tag: string }
  | { type: 'removeTag'; tag: string }
  | { type: 'setAttribute'; name: string; value: string | number | boolean | null }
  /**
   * Links the LINE rich menu `richMenuId` (Kizuna's id, `line_rich_menu`) to the friend: it takes
   * precedence over segment menus until an `unlinkRichMenu` (line/rich-menu-assignments.ts).
   */
  | { type: 'linkRichMenu'; richMenuId: number }
  /** Releases the menu a journey linked: back to what segments (or the default) give. */
  | { type: 'unlinkRichMenu' };

interface NodeBase {
  id: string;
  /** Editor metadata (a label, a position) the engine ignores. */
  label?: string;
}

export type JourneyNode =
  | (NodeBase & {
      type: 'send';
      /** `line` (the default), `email` or `line_then_email`. */
      channel?: 'line';
      /** The LINE channel; absent: the workspace's first LINE channel. */
      channelId?: string;
      messages: unknown[];
      next: string;
    })
  | (NodeBase & {
      type: 'send';
      channel: 'email';
      /** A saved email template, or a subject and MJML (Liquid allowed in both). */
      email: EmailSource;
      next: string;
    })
  | (NodeBase & {
      type: 'send';
      /**
       * LINE for a reachable friend (a LINE userId with LINE marketing consent granted), else the
       * mail (channel-choice.ts); the choice and its reason are recorded on the step.
       */
      channel: 'line_then_email';
      channelId?: string;
      messages: unknown[];
      email: EmailSource;
      next: string;
    })
  | (NodeBase & { type: 'wait'; next: string } & WaitSpec)
  | (NodeBase & { type: 'waitForEvent'; event: DomainEventType; timeout: string; yes: string; no: string })
  | (NodeBase & { type: 'branch'; condition: RuleNode; yes: string; no: string })
  | (NodeBase & { type: 'branch'; random: { percent: number }; yes: string; no: string })
  | (NodeBase & {
      type: 'branch';
      /**
       * Message clicked (click-branch.ts): `yes` once the customer follows a tracked link of the
       * run's last message from send node `nodeId` within `within` (ISO-8601) of that step, `no`
       * when the window has passed without one.
       */
      clicked: { nodeId: string; within: string };
      yes: string;
      no: string;
    })
  | (NodeBase & { type: 'action'; action: Action; next: string })
  | (NodeBase & { type: 'exit' });

export type NodeType = JourneyNode['type'];
export type SendNode = Extract<JourneyNode, { type: 'send' }>;
export type LineSendNode = Exclude<SendNode, { channel: 'email' | 'line_then_email' }>;
export type EmailSendNode = Extract<SendNode, { channel: 'email' }>;
export type ClickBranchNode = Extract<JourneyNode, { clicked: unknown }>;
export type ChannelChoiceNode = Extract<SendNode, { channel: 'line_then_email' }>;
/** The channels a send node names. */
export const SEND_CHANNELS = ['line', 'email', 'line_then_email'] as const;

export type Reentry = 'never' | 'after_exit' | { afterDays: number };

export interface JourneyDefinition {
  trigger: Trigger;
  /** The run starts at nodes[0]. */
  nodes: JourneyNode[];
  /** A matching event within `withinDays` of entry ends the run (exit reason `goal`). */
  goal?: { event: DomainEventType; withinDays: number };
  reentry: Reentry;
  /** What a send does when it plans in the workspace's quiet hours (messaging's policy). */
  quietHours: 'hold' | 'skip';
  /** For an event trigger: the payload field whose value keys the run (one run per key). */
  key?: string;
  /**
   * 0–50 (two decimals): the share of customers held out (holdout.ts). They enter and move like
   * everyone else, but their sends, coupons and points are recorded as `skipped` (`holdout`).
   */
  holdoutPercent?: number;
}

/** 'line.friend_added', 'date:birthday': what the trigger consumer selects journeys by. */
export function triggerKind(trigger: Trigger): string {
  return 'event' in trigger ? trigger.event : `date:${trigger.date}`;
}

/** The ids a node leads to, in order. */
export function successors(node: JourneyNode): string[] {
  switch (node.type) {
    case 'exit':
      return [];
    case 'waitForEvent':
    case 'branch':
      return [node.yes, node.no];
    default:
      return [node.next];
  }
}
