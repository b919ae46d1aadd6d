/**
 * Parse a subscription payments CSV for `kizuna clv subscriptions`: one row per order, with the
 * header naming the columns subscription_id, plan, interval (week|month|year), ordered_at and
 * amount, and optionally interval_count (default 1), sequence (1 = the first period) and status
 * (completed, the default, pays; cancelled or refunded ends the subscription; pending neither).
 * A time without an offset, or a bare date, is Japan time.
 */
import { ClvError } from './errors.ts';
import type { IntervalUnit, SubscriptionPayment } from './subscription-ltv.ts';

const REQUIRED = ['subscription_id', 'plan', 'interval', 'ordered_at', 'amount'] as const;
const KINDS: Record<string, SubscriptionPayment['kind']> = {
  completed: 'paid',
  paid: 'paid',
  cancelled: 'stopped',
  canceled: 'stopped',
  refunded: 'stopped',
  pending: 'other',
};

/** An instant: ISO 8601 with an offset as written, else the date (and time) in Japan time. */
export function parseJapanInstant(text: string): Date | undefined {
  const t = text.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(t) && /^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, d!, h! - 9, mi!, s!));
  const back = new Date(at.getTime() + 9 * 3_600_000);
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || h! > 23) return undefined;
  return at;
}

export function parseSubscriptionsCsv(text: string, file: string): SubscriptionPayment[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) =>
    h
      .trim()
      .replace(/^"|"$/g, '')
      .replace(/^\uFEFF/, ''),
  );
  const col = (name: string) => header.indexOf(name);
  for (const name of REQUIRED)
    if (col(name) < 0)
      throw new ClvError('invalid_input', `${file} line 1: no ${name} column (header: ${header.join(',')})`, {
        field: name,
      });
  const out: SubscriptionPayment[] = [];
  for (let li = 1; li < lines.length; li++) {
    if (lines[li]!.trim() === '') continue;
    const f = lines[li]!.split(',').map((v) => v.trim().replace(/^"|"$/g, ''));
    const cell = (name: string) => (col(name) >= 0 ? (f[col(name)] ?? '') : '');
    const bad = (name: string, why: string): never => {
      throw new ClvError('invalid_input', `${file} line ${li + 1}, column ${name}: ${why}: '${cell(name)}'`, {
        field: name,
        row: li,
      });
    };
    const whole = (name: string, fallback: number | null) => {
      const v = cell(name);
      if (v === '') return fallback;
      return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : bad(name, 'not a whole number of at least 1');
    };
    const unit = cell('interval').toLowerCase();
    if (unit !== 'week' && unit !== 'month' && unit !== 'year')
      bad('interval', 'must be week, month or year');
    const at = parseJapanInstant(cell('ordered_at')) ?? bad('ordered_at', 'not a date and time');
    const amount = cell('amount').replace(/[¥円]/g, '');
    if (!/^\d+$/.test(amount)) bad('amount', 'not a whole number of yen');
    const kind =
      KINDS[cell('status').toLowerCase() || 'completed'] ??
      bad('status', 'must be completed, cancelled, refunded or pending');
    if (!cell('subscription_id')) bad('subscription_id', 'empty');
    if (!cell('plan')) bad('plan', 'empty');
    out.push({
      subscriptionId: cell('subscription_id'),
      plan: cell('plan'),
      unit: unit as IntervalUnit,
      count: whole('interval_count', 1)!,
      at,
      sequence: whole('sequence', null),
      kind,
      amount: Number(amount),
    });
  }
  if (!out.length) throw new ClvError('too_few_customers', `${file}: no orders`);
  return out;
}
