// A journey definition as the console reads it: the API types it `unknown` (the server validates
// it and names every problem), so this file narrows it to what the screens show and edit, and
// works out the step list's timings (「友だち追加直後」「3日後 10:00」) the way Japanese step-delivery
// tools print them. Pure functions, no React.

export interface JourneyNodeView {
  id: string;
  type: string;
  label?: string;
  messages?: unknown[];
  next?: string;
  yes?: string;
  no?: string;
  duration?: string;
  until?: { dayOffset: number; at: string };
  weekday?: { day: string; at: string };
  action?: {
    type: string;
    templateId?: number;
    points?: number;
    reason?: string;
    tag?: string;
    /** setAttribute: the attribute's name and value. */
    name?: string;
    value?: string | number | boolean | null;
    /** linkRichMenu: Kizuna's id of the menu. */
    richMenuId?: number;
  };
  event?: string;
  timeout?: string;
  random?: { percent: number };
  condition?: unknown;
  /** A "message clicked" branch: a link of send node `nodeId` followed within `within`. */
  clicked?: { nodeId: string; within: string };
  /** A send's channel: absent or `line`, `email`, `line_then_email`. */
  channel?: string;
  /** A LINE send's channel (absent: the workspace's first). */
  channelId?: string;
  /** An email send's source: `{ templateId }` or `{ subject, mjml }`. */
  email?: { templateId?: number; subject?: string; mjml?: string };
}

export interface JourneyDefinitionView {
  trigger: Record<string, unknown>;
  nodes: JourneyNodeView[];
  goal?: { event: string; withinDays: number };
  holdoutPercent?: number;
  [key: string]: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The definition, or null when it is not shaped like one (the screen then says so). */
export function asDefinition(value: unknown): JourneyDefinitionView | null {
  if (!isObject(value) || !isObject(value.trigger) || !Array.isArray(value.nodes)) return null;
  if (!value.nodes.every((n) => isObject(n) && typeof n.id === 'string' && typeof n.type === 'string'))
    return null;
  return value as JourneyDefinitionView;
}

export function successorsOf(node: JourneyNodeView): string[] {
  if (node.type === 'exit') return [];
  if (node.type === 'branch' || node.type === 'waitForEvent') return [node.yes, node.no].filter(isString);
  return node.next ? [node.next] : [];
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

/** Linear: no node has two ways out, so the journey reads as one list of steps. */
export function isLinear(definition: JourneyDefinitionView): boolean {
  return definition.nodes.every((node) => successorsOf(node).length <= 1);
}

/** The nodes in the order a run meets them, from nodes[0] along `next` (each once). */
export function chainOf(definition: JourneyDefinitionView): JourneyNodeView[] {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const chain: JourneyNodeView[] = [];
  const seen = new Set<string>();
  let node = definition.nodes[0];
  while (node && !seen.has(node.id)) {
    chain.push(node);
    seen.add(node.id);
    const next = successorsOf(node)[0];
    node = next ? byId.get(next) : undefined;
  }
  return chain;
}

/** When a step happens, counted from the entry: whole JST days, a time of day, or hours. */
export interface StepTiming {
  /** Days after the entry day (0: the entry day). */
  days: number;
  /** Hours after the last fixed instant (a duration wait shorter than a day). */
  hours: number;
  /** The JST time of day the last wait ended at ('10:00'), if it named one. */
  at: string | null;
  /** The weekday of a weekday wait ('mon'); the day count is then not known in advance. */
  weekday: string | null;
  /** True while no wait has passed: the step happens right at entry. */
  immediate: boolean;
}

const START: StepTiming = { days: 0, hours: 0, at: null, weekday: null, immediate: true };

/** P3D, PT2H, P1DT12H30M → days and hours (minutes as a fraction); null for what it cannot read. */
export function parseDuration(iso: string): { days: number; hours: number } | null {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!match || iso === 'P' || iso === 'PT') return null;
  return { days: Number(match[1] ?? 0), hours: Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60 };
}

/** The timing after a wait node, given the timing before it. */
export function afterWait(before: StepTiming, node: JourneyNodeView): StepTiming {
  if (node.until)
    return {
      days: before.days + node.until.dayOffset,
      hours: 0,
      at: node.until.at,
      weekday: null,
      immediate: false,
    };
  if (node.weekday)
    return { days: before.days, hours: 0, at: node.weekday.at, weekday: node.weekday.day, immediate: false };
  const d = node.duration ? parseDuration(node.duration) : null;
  if (!d) return { ...before, immediate: false };
  // Whole days keep a named time of day (3日後 10:00 + P1D = 4日後 10:00); hours move off it.
  return {
    days: before.days + d.days,
    hours: before.hours + d.hours,
    at: d.hours > 0 ? null : before.at,
    weekday: before.weekday,
    immediate: false,
  };
}

export interface LinearStep {
  node: JourneyNodeView;
  /** When the node happens, counted from the entry. */
  timing: StepTiming;
}

/** The chain with each node's timing: what the step list shows. */
export function linearSteps(definition: JourneyDefinitionView): LinearStep[] {
  let timing = START;
  return chainOf(definition).map((node) => {
    if (node.type === 'wait') timing = afterWait(timing, node);
    return { node, timing };
  });
}

/** The text of a LINE text message, or null for other message types. */
export function messageText(message: unknown): string | null {
  return isObject(message) && message.type === 'text' && typeof message.text === 'string'
    ? message.text
    : null;
}

/** A copy of the definition with one node replaced (the screens never mutate what the query cached). */
export function withNode(
  definition: JourneyDefinitionView,
  id: string,
  change: (node: JourneyNodeView) => JourneyNodeView,
): JourneyDefinitionView {
  return { ...definition, nodes: definition.nodes.map((n) => (n.id === id ? change(n) : n)) };
}

/** Replaces the coupon template of every grantCoupon action (templates ship with id 1 as a stand-in). */
export function withCouponTemplate(
  definition: JourneyDefinitionView,
  templateId: number,
): JourneyDefinitionView {
  return {
    ...definition,
    nodes: definition.nodes.map((n) =>
      n.action?.type === 'grantCoupon' ? { ...n, action: { ...n.action, templateId } } : n,
    ),
  };
}

export function grantsCoupon(definition: JourneyDefinitionView): boolean {
  return definition.nodes.some((n) => n.action?.type === 'grantCoupon');
}
