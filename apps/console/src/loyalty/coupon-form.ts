// The coupon editor's form values and their translation to the API's bodies: a new template's
// (POST) and an edit's (PATCH, where a cleared field is sent as null).
import type { CouponTemplate, CouponTemplateInput, CouponTemplatePatch } from './queries.ts';

export interface CouponForm {
  name: string;
  description?: string;
  kind: 'amount_off' | 'percent_off' | 'free_item';
  value?: number;
  freeItem?: string;
  minSpend?: number;
  validity: 'days' | 'window';
  validDays?: number;
  validFrom?: string;
  validUntil?: string;
  perCustomerLimit?: number;
  totalLimit?: number;
  tierCodes?: string[];
  storeCodes?: string[];
  active?: boolean;
}

export const DAY = 86_400_000;

/** A JST calendar day's start, and the last second of the end day (inclusive). */
const dayStart = (day: string) => `${day}T00:00:00+09:00`;
const dayEnd = (day: string) => new Date(Date.parse(dayStart(day)) + DAY - 1000).toISOString();
/** An instant as its JST calendar day (YYYY-MM-DD). */
const jstDay = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);

/** The form's values as the API's body: JST calendar days become instants (the end day inclusive). */
export function toCreateBody(f: CouponForm): CouponTemplateInput {
  const body: CouponTemplateInput = { name: f.name.trim(), kind: f.kind, minSpend: f.minSpend ?? 0 };
  if (f.description) body.description = f.description;
  if (f.kind === 'free_item') body.freeItem = f.freeItem ?? '';
  else body.value = f.value ?? 0;
  if (f.validity === 'days' && f.validDays) body.validDays = f.validDays;
  if (f.validity === 'window') {
    if (f.validFrom) body.validFrom = dayStart(f.validFrom);
    if (f.validUntil) body.validUntil = dayEnd(f.validUntil);
  }
  if (f.perCustomerLimit) body.perCustomerLimit = f.perCustomerLimit;
  if (f.totalLimit) body.totalLimit = f.totalLimit;
  if (f.tierCodes?.length) body.tierCodes = f.tierCodes;
  if (f.storeCodes?.length) body.storeCodes = f.storeCodes;
  return body;
}

/**
 * An edit: every field the form shows, cleared ones as null. Once coupons were issued the
 * discount, stores and tiers are fixed (the form shows them disabled), so they are not sent.
 */
export function toPatchBody(f: CouponForm, locked: boolean): CouponTemplatePatch {
  const window = f.validity === 'window';
  const patch: CouponTemplatePatch = {
    name: f.name.trim(),
    description: f.description ?? '',
    active: f.active ?? true,
    validDays: !window && f.validDays ? f.validDays : null,
    validFrom: window && f.validFrom ? dayStart(f.validFrom) : null,
    validUntil: window && f.validUntil ? dayEnd(f.validUntil) : null,
    perCustomerLimit: f.perCustomerLimit || null,
    totalLimit: f.totalLimit || null,
  };
  if (locked) return patch;
  return {
    ...patch,
    kind: f.kind,
    minSpend: f.minSpend ?? 0,
    ...(f.kind === 'free_item'
      ? { freeItem: f.freeItem ?? '', value: 0 }
      : { value: f.value ?? 0, freeItem: null }),
    tierCodes: f.tierCodes ?? [],
    storeCodes: f.storeCodes ?? [],
  };
}

/** A stored template as the form shows it. */
export function fromTemplate(c: CouponTemplate): CouponForm {
  return {
    name: c.name,
    description: c.description,
    kind: c.kind,
    value: c.value,
    ...(c.freeItem ? { freeItem: c.freeItem } : {}),
    minSpend: c.minSpend,
    validity: c.validFrom || c.validUntil ? 'window' : 'days',
    ...(c.validDays ? { validDays: c.validDays } : {}),
    ...(c.validFrom ? { validFrom: jstDay(c.validFrom) } : {}),
    ...(c.validUntil ? { validUntil: jstDay(c.validUntil) } : {}),
    ...(c.perCustomerLimit ? { perCustomerLimit: c.perCustomerLimit } : {}),
    ...(c.totalLimit ? { totalLimit: c.totalLimit } : {}),
    tierCodes: c.tierCodes,
    storeCodes: c.storeCodes,
    active: c.active,
  };
}
