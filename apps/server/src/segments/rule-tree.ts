/**
 * The segment definition: a JSON rule tree of `and` / `or` / `not` over conditions. Validation
 * walks the tree and names every offending path (`definition.and[2].aggregate.window.days`), so
 * the editor can point at the field. Compiled to SQL by compile-definition.ts.
 *
 * @example
 * { "and": [
 *   { "aggregate": { "of": "visits", "measure": "count" }, "op": "gte", "value": 3 },
 *   { "identity": "line_friend" }
 * ] }
 */
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import {
  type Interests,
  interestsProblems,
  itemProblems,
  type Purchased,
  type VisitMenu,
} from './item-conditions.ts';

export const COMPARISONS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const SET_OPS = ['in', 'not_in'] as const;
export const PRESENCE_OPS = ['exists', 'not_exists'] as const;
export type Op = Comparison | (typeof SET_OPS)[number] | (typeof PRESENCE_OPS)[number];

/** Profile columns a condition may read, with their type. */
export const PROFILE_FIELDS = {
  gender: 'text',
  prefecture: 'text',
  acquisition_source: 'text',
  family_name: 'text',
  given_name: 'text',
  birthday: 'date',
  registered_at: 'timestamp',
  favorite_store_id: 'number',
} as const;
export type ProfileField = keyof typeof PROFILE_FIELDS;

export const IDENTITIES = ['line_friend', 'line', 'email', 'phone'] as const;
export const AGGREGATE_SOURCES = ['orders', 'visits', 'events'] as const;
export const MEASURES = ['count', 'sum', 'first', 'last', 'days_since_first', 'days_since_last'] as const;
export const RFM_SCORES = ['r', 'f', 'm'] as const;
export const PREDICTIONS = ['p_alive', 'expected_purchases_90d', 'predicted_clv', 'clv_percentile'] as const;

export type Value = string | number | boolean | (string | number)[];

export interface Aggregate {
  of: (typeof AGGREGATE_SOURCES)[number];
  measure: (typeof MEASURES)[number];
  /** Only rows in the last `days` JST days (today counts as the first). */
  window?: { days: number };
  /** Events only: the event type. */
  type?: string;
}

export type Condition =
  | { profile: ProfileField; op: Op; value?: Value }
  | { attribute: string; op: Op; value?: Value }
  | { tag: string }
  | { identity: (typeof IDENTITIES)[number] }
  | { consent: { channel: 'line' | 'email'; purpose: 'marketing' | 'transactional'; status: string } }
  | { aggregate: Aggregate; op: Comparison | 'exists' | 'not_exists'; value?: number | string }
  | { birthday: 'this_month' | { month: number } }
  | { anniversary: 'this_month' | 'today' }
  | { rfm: (typeof RFM_SCORES)[number]; op: Comparison; value: number }
  | { prediction: (typeof PREDICTIONS)[number]; op: Comparison; value: number }
  | { purchased: Purchased; op: Comparison; value: number }
  | { visitMenu: VisitMenu; op: Comparison; value: number }
  | { interests: Interests };

export type RuleNode = { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | Condition;

const MAX_NODES = 200;
// Bounds on the values a condition compares with: the definition arrives as free JSON
// (Type.Unknown in the route schema), so its strings and lists are bounded here (issue #19).
const MAX_LIST = 1000;
const MAX_TEXT = 1000;
const KINDS = [
  'and',
  'or',
  'not',
  'profile',
  'attribute',
  'tag',
  'identity',
  'consent',
  'aggregate',
  'birthday',
  'anniversary',
  'rfm',
  'prediction',
  'purchased',
  'visitMenu',
  'interests',
] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends readonly string[]>(list: T, v: unknown): v is T[number] {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}

/** Throws DomainError('invalid') listing every problem of the tree, each with its path. */
export function validateDefinition(value: unknown, base = 'definition'): RuleNode {
  const problems: FieldProblem[] = [];
  let nodes = 0;
  const at = (path: string, message: string): void => {
    problems.push({ path, message });
  };

  const checkOp = (node: Record<string, unknown>, path: string, allowed: readonly string[]): undefined => {
    if (!oneOf(allowed, node.op)) return void at(`${path}.op`, `must be one of ${allowed.join(', ')}`);
    const op = node.op as string;
    if (op === 'exists' || op === 'not_exists') return;
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(node.value) || node.value.length === 0)
        at(`${path}.value`, 'must be a non-empty array');
      else if (node.value.length > MAX_LIST) at(`${path}.value`, `must have at most ${MAX_LIST} items`);
      else if (node.value.some((v) => typeof v === 'string' && v.length > MAX_TEXT))
        at(`${path}.value`, `items must have at most ${MAX_TEXT} characters`);
      return;
    }
    if (node.value === undefined || node.value === null || Array.isArray(node.value) || isObject(node.value))
      at(`${path}.value`, 'must be a string, number or boolean');
    else if (typeof node.value === 'string' && node.value.length > MAX_TEXT)
      at(`${path}.value`, `must have at most ${MAX_TEXT} characters`);
  };
  const checkNumber = (node: Record<string, unknown>, path: string): undefined => {
    if (typeof node.value !== 'number' || !Number.isFinite(node.value))
      void at(`${path}.value`, 'must be a number');
  };

  const walk = (node: unknown, path: string, depth: number): undefined => {
    if (++nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) at(path, `a definition may hold at most ${MAX_NODES} nodes`);
      return;
    }
    if (depth > 20) return void at(path, 'is nested too deeply (at most 20 levels)');
    if (!isObject(node)) return void at(path, 'must be an object (a condition or and/or/not)');
    const kind = KINDS.find((k) => k in node);
    if (!kind) return void at(path, `must have one of ${KINDS.join(', ')}`);
    switch (kind) {
      case 'and':
      case 'or': {
        const list = node[kind];
        if (!Array.isArray(list) || list.length === 0)
          return void at(`${path}.${kind}`, 'must be a non-empty array');
        for (const [i, child] of list.entries()) walk(child, `${path}.${kind}[${i}]`, depth + 1);
        return;
      }
      case 'not':
        return walk(node.not, `${path}.not`, depth + 1);
      case 'profile':
        if (!oneOf(Object.keys(PROFILE_FIELDS), node.profile))
          return void at(`${path}.profile`, `must be one of ${Object.keys(PROFILE_FIELDS).join(', ')}`);
        return checkOp(node, path, [...COMPARISONS, ...SET_OPS, ...PRESENCE_OPS]);
      case 'attribute':
        if (typeof node.attribute !== 'string' || !/^[\w.-]{1,100}$/.test(node.attribute))
          return void at(`${path}.attribute`, 'must be an attribute key (letters, digits, _ . -)');
        return checkOp(node, path, [...COMPARISONS, ...SET_OPS, ...PRESENCE_OPS]);
      case 'tag':
        if (typeof node.tag !== 'string' || node.tag.length === 0 || node.tag.length > 100)
          at(`${path}.tag`, 'must be a tag (1-100 characters)');
        return;
      case 'identity':
        if (!oneOf(IDENTITIES, node.identity))
          at(`${path}.identity`, `must be one of ${IDENTITIES.join(', ')}`);
        return;
      case 'consent': {
        const c = node.consent;
        if (!isObject(c)) return void at(`${path}.consent`, 'must be an object');
        if (!oneOf(['line', 'email'], c.channel)) at(`${path}.consent.channel`, 'must be one of line, email');
        if (!oneOf(['marketing', 'transactional'], c.purpose))
          at(`${path}.consent.purpose`, 'must be one of marketing, transactional');
        if (!oneOf(['granted', 'revoked', 'blocked'], c.status))
          at(`${path}.consent.status`, 'must be one of granted, revoked, blocked');
        return;
      }
      case 'aggregate':
        return walkAggregate(node, path);
      case 'birthday': {
        const b = node.birthday;
        if (b === 'this_month') return;
        if (!isObject(b) || !Number.isInteger(b.month) || (b.month as number) < 1 || (b.month as number) > 12)
          at(`${path}.birthday`, 'must be "this_month" or { "month": 1-12 }');
        return;
      }
      case 'anniversary':
        if (!oneOf(['this_month', 'today'], node.anniversary))
          at(`${path}.anniversary`, 'must be one of this_month, today');
        return;
      case 'rfm':
        if (!oneOf(RFM_SCORES, node.rfm)) at(`${path}.rfm`, 'must be one of r, f, m');
        checkOp(node, path, COMPARISONS);
        return checkNumber(node, path);
      case 'prediction':
        if (!oneOf(PREDICTIONS, node.prediction))
          at(`${path}.prediction`, `must be one of ${PREDICTIONS.join(', ')}`);
        checkOp(node, path, COMPARISONS);
        return checkNumber(node, path);
      case 'purchased':
      case 'visitMenu':
        problems.push(...itemProblems(kind, node[kind], path));
        checkOp(node, path, COMPARISONS);
        return checkNumber(node, path);
      case 'interests':
        return void problems.push(...interestsProblems(node.interests, path));
    }
  };

  const walkAggregate = (node: Record<string, unknown>, path: string): undefined => {
    const a = node.aggregate;
    const p = `${path}.aggregate`;
    if (!isObject(a)) return void at(p, 'must be an object');
    if (!oneOf(AGGREGATE_SOURCES, a.of)) at(`${p}.of`, `must be one of ${AGGREGATE_SOURCES.join(', ')}`);
    if (!oneOf(MEASURES, a.measure)) at(`${p}.measure`, `must be one of ${MEASURES.join(', ')}`);
    if (a.measure === 'sum' && a.of === 'events')
      at(`${p}.measure`, 'sum is only defined for orders (revenue) and visits (spend)');
    if (
      a.type !== undefined &&
      (a.of !== 'events' || typeof a.type !== 'string' || a.type.length === 0 || a.type.length > 100)
    )
      at(`${p}.type`, 'is only allowed for events, as a non-empty event type');
    if (a.window !== undefined) {
      const days = isObject(a.window) ? a.window.days : undefined;
      if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 3660)
        at(`${p}.window.days`, 'must be a positive integer (at most 3660)');
    }
    const timeMeasure = a.measure === 'first' || a.measure === 'last';
    checkOp(node, path, [...COMPARISONS, ...PRESENCE_OPS]);
    if (node.op === 'exists' || node.op === 'not_exists') {
      if (!timeMeasure && a.measure !== 'days_since_first' && a.measure !== 'days_since_last')
        at(`${path}.op`, 'exists/not_exists apply to first, last and days_since measures');
    } else if (timeMeasure) {
      if (typeof node.value !== 'string' || Number.isNaN(Date.parse(node.value)))
        at(`${path}.value`, 'must be an ISO-8601 timestamp for first/last');
    } else if (oneOf(COMPARISONS, node.op)) checkNumber(node, path);
  };

  walk(value, base, 0);
  if (problems.length) throw invalid(problems);
  return value as RuleNode;
}

/** True when the clock alone (or a scheduled job) can change membership: see segment.time_based. */
export function isTimeBased(node: RuleNode): boolean {
  if ('and' in node) return node.and.some(isTimeBased);
  if ('or' in node) return node.or.some(isTimeBased);
  if ('not' in node) return isTimeBased(node.not);
  if ('aggregate' in node) {
    const m = node.aggregate.measure;
    return node.aggregate.window !== undefined || m === 'days_since_first' || m === 'days_since_last';
  }
  // A product's category is read at evaluation and changes without an order: a category condition
  // is refreshed hourly like the windowed ones (segment-inputs.ts).
  if ('purchased' in node) return node.purchased.window !== undefined || 'category' in node.purchased;
  if ('visitMenu' in node) return node.visitMenu.window !== undefined;
  return 'birthday' in node || 'anniversary' in node || 'rfm' in node || 'prediction' in node;
}
