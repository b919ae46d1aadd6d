/**
 * Conditions on what a customer had: the products of their completed orders (`purchased`), the
 * menu items of their visits (`visitMenu`), and their interests (issue #17 item 6). Validation
 * here, SQL in compile-items.ts. This file imports nothing from rule-tree.ts (which imports it).
 *
 * @example
 * // bought DRIP-10 in at least two orders within 90 days
 * { "purchased": { "sku": "DRIP-10", "window": { "days": 90 } }, "op": "gte", "value": 2 }
 * // spent ¥10,000 or more on the category コーヒー豆 (ever)
 * { "purchased": { "category": "コーヒー豆", "measure": "amount" }, "op": "gte", "value": 10000 }
 * // had a カラー at two or more visits
 * { "visitMenu": { "category": "カラー" }, "op": "gte", "value": 2 }
 * // interested in コーヒー or 紅茶
 * { "interests": { "any": ["コーヒー", "紅茶"] } }
 */
import type { FieldProblem } from '../shared/domain-error.ts';

/** What a line is matched on: exactly one of the keys, with one value or a list (any of them). */
export const PURCHASE_KEYS = ['sku', 'product', 'category'] as const;
export const VISIT_MENU_KEYS = ['code', 'name', 'category'] as const;
export const PURCHASE_MEASURES = ['orders', 'quantity', 'amount'] as const;
export const VISIT_MENU_MEASURES = ['visits', 'quantity', 'amount'] as const;

type Match<K extends string> = { [P in K]?: string | string[] };

/**
 * Order lines of completed orders: `sku` (the line's SKU), `product` (the line's name, for shops
 * without SKUs) or `category` (the category of the product with the line's SKU). `measure`:
 * `orders` (orders holding such a line, the default), `quantity` (units) or `amount` (yen).
 */
export type Purchased = Match<(typeof PURCHASE_KEYS)[number]> & {
  measure?: (typeof PURCHASE_MEASURES)[number];
  window?: { days: number };
};

/**
 * Menu items of visits: `code`, `name` or `category`. `measure`: `visits` (visits holding such an
 * item, the default), `quantity`, or `amount` (yen: price × quantity of the priced items).
 */
export type VisitMenu = Match<(typeof VISIT_MENU_KEYS)[number]> & {
  measure?: (typeof VISIT_MENU_MEASURES)[number];
  window?: { days: number };
};

export type Interests = { any: string[] } | { all: string[] };

export type ItemKind = 'purchased' | 'visitMenu';

const MAX_VALUES = 1000;
const MAX_TEXT = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textList(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.length > MAX_VALUES) return undefined;
  return list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_TEXT)
    ? (list as string[])
    : undefined;
}

/** The values a `purchased` / `visitMenu` condition matches, as a list, with the key matched. */
export function itemMatch(spec: Purchased | VisitMenu): { key: string; values: string[] } {
  const [key, value] = Object.entries(spec).find(([k]) => k !== 'measure' && k !== 'window')!;
  return { key, values: Array.isArray(value) ? value : [value as string] };
}

/** Problems of the `purchased` or `visitMenu` object at `path` (the condition's op and value aside). */
export function itemProblems(kind: ItemKind, spec: unknown, path: string): FieldProblem[] {
  const p = `${path}.${kind}`;
  if (!isObject(spec)) return [{ path: p, message: 'must be an object' }];
  const keys: readonly string[] = kind === 'purchased' ? PURCHASE_KEYS : VISIT_MENU_KEYS;
  const measures: readonly string[] = kind === 'purchased' ? PURCHASE_MEASURES : VISIT_MENU_MEASURES;
  const problems: FieldProblem[] = [];
  const given = keys.filter((k) => k in spec);
  if (given.length !== 1) problems.push({ path: p, message: `must have exactly one of ${keys.join(', ')}` });
  for (const k of given)
    if (!textList(spec[k]))
      problems.push({
        path: `${p}.${k}`,
        message: `must be a non-empty string or a list of 1-${MAX_VALUES} of them (at most ${MAX_TEXT} characters each)`,
      });
  for (const k of Object.keys(spec))
    if (!keys.includes(k) && k !== 'measure' && k !== 'window')
      problems.push({ path: `${p}.${k}`, message: 'is not a known field' });
  if (spec.measure !== undefined && !measures.includes(spec.measure as string))
    problems.push({ path: `${p}.measure`, message: `must be one of ${measures.join(', ')}` });
  if (spec.window !== undefined) {
    const days = isObject(spec.window) ? spec.window.days : undefined;
    if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 3660)
      problems.push({ path: `${p}.window.days`, message: 'must be a positive integer (at most 3660)' });
  }
  return problems;
}

/** Problems of an `interests` object at `path`. */
export function interestsProblems(spec: unknown, path: string): FieldProblem[] {
  const p = `${path}.interests`;
  if (!isObject(spec) || Object.keys(spec).length !== 1 || !('any' in spec || 'all' in spec))
    return [{ path: p, message: 'must be { "any": [...] } or { "all": [...] }' }];
  const [key, list] = Object.entries(spec)[0]!;
  if (!Array.isArray(list) || !textList(list))
    return [
      { path: `${p}.${key}`, message: `must be a list of 1-${MAX_VALUES} interests (non-empty strings)` },
    ];
  return [];
}
