// The segment rule tree as the console edits it: the same JSON the server validates
// (apps/server/src/segments/README.md, "Conditions"), described here from the README because the
// contract types `definition` as unknown. The builder edits this tree in place (immutably, by
// path), so a definition → builder → definition round trip leaves it unchanged.

export const COMPARISONS = ['gte', 'gt', 'eq', 'neq', 'lte', 'lt'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export type Op = Comparison | 'in' | 'not_in' | 'exists' | 'not_exists';

export const PROFILE_FIELDS = {
  gender: 'text',
  prefecture: 'text',
  acquisition_source: 'text',
  family_name: 'text',
  given_name: 'text',
  birthday: 'date',
  registered_at: 'date',
  favorite_store_id: 'store',
} as const;
export type ProfileField = keyof typeof PROFILE_FIELDS;

export const IDENTITIES = ['line_friend', 'line', 'email', 'phone'] as const;
export const SOURCES = ['orders', 'visits', 'events'] as const;
export const MEASURES = ['count', 'sum', 'first', 'last', 'days_since_first', 'days_since_last'] as const;
export type Measure = (typeof MEASURES)[number];
export const RFM_SCORES = ['r', 'f', 'm'] as const;
export const PREDICTIONS = ['p_alive', 'expected_purchases_90d', 'predicted_clv', 'clv_percentile'] as const;
export const PURCHASE_KEYS = ['sku', 'product', 'category'] as const;
export const PURCHASE_MEASURES = ['orders', 'quantity', 'amount'] as const;
export const VISIT_MENU_KEYS = ['code', 'name', 'category'] as const;
export const VISIT_MENU_MEASURES = ['visits', 'quantity', 'amount'] as const;

export type Value = string | number | boolean | (string | number)[];
export interface Window {
  days: number;
}

export type Condition =
  | { profile: ProfileField; op: Op; value?: Value }
  | { attribute: string; op: Op; value?: Value }
  | { tag: string }
  | { identity: (typeof IDENTITIES)[number] }
  | { consent: { channel: 'line' | 'email'; purpose: 'marketing' | 'transactional'; status: string } }
  | {
      aggregate: { of: (typeof SOURCES)[number]; measure: Measure; window?: Window; type?: string };
      op: Comparison | 'exists' | 'not_exists';
      value?: number | string;
    }
  | { birthday: 'this_month' | { month: number } }
  | { anniversary: 'this_month' | 'today' }
  | { rfm: (typeof RFM_SCORES)[number]; op: Comparison; value: number }
  | { prediction: (typeof PREDICTIONS)[number]; op: Comparison; value: number }
  | { purchased: ItemMatch; op: Comparison; value: number }
  | { visitMenu: ItemMatch; op: Comparison; value: number }
  | { interests: { any: string[] } | { all: string[] } };

/** `purchased` / `visitMenu`: exactly one match key with one value or a list, a measure, a window. */
export interface ItemMatch {
  [key: string]: string | string[] | Window | undefined;
  measure?: string;
  window?: Window;
}

export type RuleNode = { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | Condition;
export type Group = { and: RuleNode[] } | { or: RuleNode[] };

/** Every condition kind the API accepts, in the order the builder offers them. */
export const CONDITION_KINDS = [
  'aggregate',
  'purchased',
  'visitMenu',
  'tag',
  'identity',
  'consent',
  'profile',
  'attribute',
  'interests',
  'birthday',
  'anniversary',
  'rfm',
  'prediction',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/** A sensible new condition of each kind: what a shop most often means by it. */
export function newCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'aggregate':
      return { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 2 };
    case 'purchased':
      return { purchased: { sku: [] }, op: 'gte', value: 1 };
    case 'visitMenu':
      return { visitMenu: { category: [] }, op: 'gte', value: 1 };
    case 'tag':
      return { tag: '' };
    case 'identity':
      return { identity: 'line_friend' };
    case 'consent':
      return { consent: { channel: 'email', purpose: 'marketing', status: 'granted' } };
    case 'profile':
      return { profile: 'prefecture', op: 'in', value: [] };
    case 'attribute':
      return { attribute: '', op: 'eq', value: '' };
    case 'interests':
      return { interests: { any: [] } };
    case 'birthday':
      return { birthday: 'this_month' };
    case 'anniversary':
      return { anniversary: 'this_month' };
    case 'rfm':
      return { rfm: 'r', op: 'gte', value: 4 };
    case 'prediction':
      return { prediction: 'p_alive', op: 'lt', value: 0.5 };
  }
}

export function isGroup(node: RuleNode): node is Group {
  return 'and' in node || 'or' in node;
}

export function groupChildren(group: Group): RuleNode[] {
  return 'and' in group ? group.and : group.or;
}

export function conditionKind(node: Condition): ConditionKind {
  const kind = CONDITION_KINDS.find((k) => k in node);
  if (!kind) throw new Error(`not a condition: ${JSON.stringify(node)}`);
  return kind;
}

/** The root the builder edits is always a group, so there is somewhere to add the next condition. */
export function asRootGroup(definition: unknown): Group {
  if (definition && typeof definition === 'object') {
    const node = definition as RuleNode;
    if (isGroup(node)) return node;
    return { and: [node] };
  }
  return { and: [] };
}

/**
 * What is sent to the server: a group of one child is that child, and an empty group is not a
 * definition yet (undefined). So a template's single condition round-trips unchanged.
 */
export function toDefinition(root: Group): RuleNode | undefined {
  const pruned = prune(root);
  if (!pruned || !isGroup(pruned)) return pruned;
  const children = groupChildren(pruned);
  if (children.length === 1 && children[0]) return children[0];
  return pruned;
}

/** Drops groups left empty (a group just added, not filled yet): the server refuses an empty list. */
function prune(node: RuleNode): RuleNode | undefined {
  if ('not' in node) {
    const inner = prune(node.not);
    return inner && { not: inner };
  }
  if (!isGroup(node)) return node;
  const children = groupChildren(node).flatMap((c) => prune(c) ?? []);
  if (children.length === 0) return undefined;
  return 'and' in node ? { and: children } : { or: children };
}

/** A measure compares with a date (first/last), with nothing (exists), or with a number. */
export function measureValueKind(measure: Measure): 'date' | 'days' | 'number' {
  if (measure === 'first' || measure === 'last') return 'date';
  if (measure === 'days_since_first' || measure === 'days_since_last') return 'days';
  return 'number';
}

/** A calendar day in Japan (yyyy-mm-dd) as the instant it starts: what a JST date means to a shop. */
export function jstDayToIso(day: string): string {
  return `${day}T00:00:00+09:00`;
}

/** The JST calendar day of an instant, for a date input. */
export function isoToJstDay(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return new Date(t + 9 * 3_600_000).toISOString().slice(0, 10);
}
