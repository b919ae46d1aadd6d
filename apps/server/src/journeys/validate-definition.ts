// Untrusted JSON → JourneyDefinition, or every problem named by its JSON path:
// `nodes[2].next: no node "x"`, `nodes[1]: unreachable from nodes[0]`.
import { DOMAIN_EVENT_TYPES } from '../domain-events/event-map.ts';
import { checkEmailSourceShape } from '../email/email-source.ts';
import { lineAdapter } from '../line/line-adapter.ts';
import { validateDefinition as validateRuleTree } from '../segments/rule-tree.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import {
  type Action,
  EVENT_TRIGGERS,
  type JourneyDefinition,
  KEY_FIELDS,
  SEND_CHANNELS,
  successors,
  WEEKDAYS,
} from './definition.ts';
import { checkClickBranches, checkGraph } from './validate-graph.ts';
import { parseDuration, parseTimeOfDay } from './wait-time.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const NODE_ID = /^[A-Za-z0-9_-]{1,40}$/;
const MAX_NODES = 100;
const POSTBACK_ACTION = /^[^&=\s]+$/;
const MAX_CLICK_WINDOW_MS = 90 * 86_400_000;
const ACTION_TYPES = [
  'grantCoupon',
  'addPoints',
  'addTag',
  'removeTag',
  'setAttribute',
  'linkRichMenu',
  'unlinkRichMenu',
] as const satisfies readonly Action['type'][];

class Problems {
  readonly list: FieldProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  oneOf(path: string, value: unknown, allowed: readonly string[]): void {
    if (typeof value !== 'string' || !allowed.includes(value))
      this.add(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  int(path: string, value: unknown, min: number, max: number): void {
    if (!isInt(value, min, max)) this.add(path, `must be an integer from ${min} to ${max}`);
  }
  text(path: string, value: unknown, max: number): void {
    if (typeof value !== 'string' || value.length < 1 || value.length > max)
      this.add(path, `must be a string of 1 to ${max} characters`);
  }
  duration(path: string, value: unknown): void {
    if (typeof value !== 'string' || parseDuration(value) === null)
      this.add(path, 'must be an ISO-8601 duration of weeks, days, hours or minutes (P3D, PT2H, P1DT12H)');
  }
  time(path: string, value: unknown): void {
    if (typeof value !== 'string' || parseTimeOfDay(value) === null)
      this.add(path, 'must be a JST time of day "HH:MM"');
  }
}

function checkTrigger(p: Problems, t: unknown) {
  if (!isObj(t)) return p.add('trigger', 'must be an object with "event" or "date"');
  if ('event' in t) {
    p.oneOf('trigger.event', t.event, EVENT_TRIGGERS);
    if (t.event === 'segment.entered' || t.event === 'segment.exited')
      p.int('trigger.segmentId', t.segmentId, 1, Number.MAX_SAFE_INTEGER);
    if (t.event === 'line.postback') {
      p.text('trigger.action', t.action, 100);
      if (typeof t.action === 'string' && !POSTBACK_ACTION.test(t.action))
        p.add(
          'trigger.action',
          'must be the value of "action=" in the postback data (no "&", "=" or spaces)',
        );
    }
    if (t.refollow !== undefined && typeof t.refollow !== 'boolean')
      p.add('trigger.refollow', 'must be true or false');
    return;
  }
  p.oneOf('trigger.date', t.date, ['birthday', 'anniversary', 'days_since_last', 'visit_cycle']);
  if (t.date === 'birthday') p.int('trigger.daysBefore', t.daysBefore, 0, 60);
  if (t.date === 'days_since_last' || t.date === 'visit_cycle')
    p.oneOf('trigger.of', t.of, ['orders', 'visits']);
  if (t.date === 'days_since_last') p.int('trigger.days', t.days, 1, 3660);
}

function checkWait(p: Problems, path: string, n: Obj) {
  const kinds = ['duration', 'until', 'weekday'].filter((k) => k in n);
  if (kinds.length !== 1) return p.add(path, 'a wait needs exactly one of "duration", "until", "weekday"');
  if ('duration' in n) return p.duration(`${path}.duration`, n.duration);
  if ('until' in n) {
    const u = isObj(n.until) ? n.until : {};
    p.int(`${path}.until.dayOffset`, u.dayOffset, 0, 366);
    return p.time(`${path}.until.at`, u.at);
  }
  const w = isObj(n.weekday) ? n.weekday : {};
  p.oneOf(`${path}.weekday.day`, w.day, WEEKDAYS);
  p.time(`${path}.weekday.at`, w.at);
}

function checkAction(p: Problems, path: string, a: unknown) {
  if (!isObj(a)) return p.add(path, 'must be an object with "type"');
  p.oneOf(`${path}.type`, a.type, ACTION_TYPES);
  if (a.type === 'grantCoupon') p.int(`${path}.templateId`, a.templateId, 1, Number.MAX_SAFE_INTEGER);
  if (a.type === 'linkRichMenu') p.int(`${path}.richMenuId`, a.richMenuId, 1, Number.MAX_SAFE_INTEGER);
  if (a.type === 'addPoints') p.int(`${path}.points`, a.points, 1, 1_000_000);
  if (a.type === 'addPoints' && a.reason !== undefined) p.text(`${path}.reason`, a.reason, 200);
  if (a.type === 'addTag' || a.type === 'removeTag') p.text(`${path}.tag`, a.tag, 100);
  if (a.type === 'setAttribute') {
    p.text(`${path}.name`, a.name, 100);
    const v = a.value;
    if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v)))
      p.add(`${path}.value`, 'must be a string, a number, true, false or null');
    if (typeof v === 'string' && v.length > 1000) p.add(`${path}.value`, 'must be at most 1,000 characters');
  }
}

function checkBranch(p: Problems, path: string, n: Obj) {
  if (['condition', 'random', 'clicked'].filter((k) => k in n).length !== 1)
    return p.add(path, 'a branch needs exactly one of "condition", "random", "clicked"');
  if ('clicked' in n) {
    const c = isObj(n.clicked) ? n.clicked : {};
    if (typeof c.nodeId !== 'string' || !NODE_ID.test(c.nodeId))
      p.add(`${path}.clicked.nodeId`, 'must name a send node of this journey');
    p.duration(`${path}.clicked.within`, c.within);
    if (typeof c.within === 'string' && (parseDuration(c.within) ?? 0) > MAX_CLICK_WINDOW_MS)
      p.add(`${path}.clicked.within`, 'must be at most 90 days (P90D)');
    return;
  }
  if ('random' in n)
    return p.int(`${path}.random.percent`, isObj(n.random) ? n.random.percent : undefined, 0, 100);
  try {
    validateRuleTree(n.condition, `${path}.condition`);
  } catch (error) {
    const problems = (error as { problems?: FieldProblem[] }).problems;
    if (!problems) throw error;
    p.list.push(...problems);
  }
}

function checkSend(p: Problems, path: string, n: Obj) {
  if (n.channel !== undefined) p.oneOf(`${path}.channel`, n.channel, SEND_CHANNELS);
  if (n.channel === 'line_then_email') {
    // Both contents: the LINE messages for reachable friends, the mail for everyone else.
    if (!('messages' in n))
      p.add(`${path}.messages`, 'required for a line_then_email send: the LINE messages for friends');
    else lineAdapter.checkContent(Array.isArray(n.messages) ? n.messages : [], `${path}.messages`, p.list);
    if (n.channelId !== undefined) p.text(`${path}.channelId`, n.channelId, 64);
    if (!('email' in n))
      return p.add(
        `${path}.email`,
        'required for a line_then_email send: the mail for customers LINE cannot reach ({ "templateId": n } or { "subject", "mjml" })',
      );
    return checkEmailSourceShape(n.email, `${path}.email`, p.list);
  }
  if (n.channel === 'email') {
    for (const field of ['messages', 'channelId'])
      if (field in n) p.add(`${path}.${field}`, 'an email send takes "email", not LINE fields');
    if (!('email' in n))
      return p.add(
        `${path}.email`,
        'required for an email send: { "templateId": n } or { "subject", "mjml" }',
      );
    return checkEmailSourceShape(n.email, `${path}.email`, p.list);
  }
  if ('email' in n)
    p.add(`${path}.email`, 'only an email send ("channel": "email" or "line_then_email") takes "email"');
  if (n.channelId !== undefined) p.text(`${path}.channelId`, n.channelId, 64);
  lineAdapter.checkContent(Array.isArray(n.messages) ? n.messages : [], `${path}.messages`, p.list);
}

function checkNode(p: Problems, path: string, n: Obj) {
  switch (n.type) {
    case 'send':
      return checkSend(p, path, n);
    case 'wait':
      return checkWait(p, path, n);
    case 'waitForEvent':
      p.oneOf(`${path}.event`, n.event, DOMAIN_EVENT_TYPES);
      return p.duration(`${path}.timeout`, n.timeout);
    case 'branch':
      return checkBranch(p, path, n);
    case 'action':
      return checkAction(p, `${path}.action`, n.action);
    case 'exit':
      return;
    default:
      p.oneOf(`${path}.type`, n.type, ['send', 'wait', 'waitForEvent', 'branch', 'action', 'exit']);
  }
}

function checkNodes(p: Problems, nodes: unknown) {
  if (!Array.isArray(nodes) || nodes.length < 1 || nodes.length > MAX_NODES)
    return p.add('nodes', `must be an array of 1 to ${MAX_NODES} nodes`);
  const ids = new Map<string, number>();
  for (const [i, n] of nodes.entries()) {
    if (!isObj(n)) {
      p.add(`nodes[${i}]`, 'must be an object');
      continue;
    }
    if (typeof n.id !== 'string' || !NODE_ID.test(n.id))
      p.add(`nodes[${i}].id`, 'must match ^[A-Za-z0-9_-]{1,40}$');
    else if (ids.has(n.id)) p.add(`nodes[${i}].id`, `"${n.id}" is also nodes[${ids.get(n.id)}].id`);
    else ids.set(n.id, i);
    if (n.label !== undefined) p.text(`nodes[${i}].label`, n.label, 200);
    checkNode(p, `nodes[${i}]`, n);
  }
  if (p.list.length) return;
  const typed = nodes as JourneyDefinition['nodes'];
  typed.forEach((n, i) => {
    const fields =
      n.type === 'waitForEvent' || n.type === 'branch' ? ['yes', 'no'] : n.type === 'exit' ? [] : ['next'];
    successors(n).forEach((target, j) => {
      if (typeof target !== 'string' || !ids.has(target))
        p.add(`nodes[${i}].${fields[j]}`, `no node "${String(target)}"`);
    });
  });
  if (!p.list.length) p.list.push(...checkGraph(typed), ...checkClickBranches(typed));
}

function checkTop(p: Problems, d: Obj) {
  const r = d.reentry;
  if (!(r === 'never' || r === 'after_exit' || (isObj(r) && isInt(r.afterDays, 1, 3660))))
    p.add('reentry', 'must be "never", "after_exit" or { "afterDays": 1..3660 }');
  p.oneOf('quietHours', d.quietHours, ['hold', 'skip']);
  if (d.goal !== undefined) {
    const g = isObj(d.goal) ? d.goal : {};
    p.oneOf('goal.event', g.event, DOMAIN_EVENT_TYPES);
    p.int('goal.withinDays', g.withinDays, 1, 3660);
  }
  const h = d.holdoutPercent;
  if (
    h !== undefined &&
    !(typeof h === 'number' && h >= 0 && h <= 50 && Math.abs(h * 100 - Math.round(h * 100)) < 1e-9)
  )
    p.add('holdoutPercent', 'must be a number from 0 to 50 with at most two decimals (0〜50%)');
  if (d.key === undefined) return;
  const t = isObj(d.trigger) ? d.trigger : {};
  const fields = typeof t.event === 'string' ? (KEY_FIELDS[t.event as keyof typeof KEY_FIELDS] ?? []) : [];
  if (!fields.length) p.add('key', 'only an event trigger with a keyed payload takes a key');
  else p.oneOf('key', d.key, fields);
}

/** The definition, or an `invalid` error listing every problem by its path. */
export function validateJourneyDefinition(value: unknown): JourneyDefinition {
  const p = new Problems();
  if (!isObj(value)) throw invalid([{ path: '', message: 'must be an object' }]);
  checkTrigger(p, value.trigger);
  checkTop(p, value);
  checkNodes(p, value.nodes);
  if (p.list.length) throw invalid(p.list);
  return value as unknown as JourneyDefinition;
}
