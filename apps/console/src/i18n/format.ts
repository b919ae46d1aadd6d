// Numbers, yen and dates as a Japanese shop reads them: thousands separators, whole yen, and
// calendar dates in Japan time (JST) whatever the browser's own time zone.
import type { Lang } from './messages.ts';

const TOKYO = 'Asia/Tokyo';
const LOCALES: Record<Lang, string> = { ja: 'ja-JP', en: 'en-US' };

// Building an Intl formatter costs about 0.5 ms (it loads the locale's data); a page of 50
// customers formats 50 dates, so each formatter is built once per language and options
// (bench/console's profile of the list: formatDate 37 ms before).
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let formatter = formatters.get(key) as F | undefined;
  if (!formatter) {
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatNumber(value: number, lang: Lang): string {
  return cached(
    `number ${lang}`,
    () => new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 1 }),
  ).format(value);
}

/** Whole yen with separators: ¥12,345 (the API's money is integer yen). */
export function formatYen(value: number, lang: Lang): string {
  return cached(
    `yen ${lang}`,
    () =>
      new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency: 'JPY', maximumFractionDigits: 0 }),
  ).format(value);
}

export function formatPercent(ratio: number, lang: Lang): string {
  return cached(
    `percent ${lang}`,
    () => new Intl.NumberFormat(LOCALES[lang], { style: 'percent', maximumFractionDigits: 1 }),
  ).format(ratio);
}

/** 2026年12月5日 (ja) or Dec 5, 2026 (en), in JST. */
export function formatDate(iso: string, lang: Lang): string {
  return cached(
    `date ${lang}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[lang], {
        timeZone: TOKYO,
        year: 'numeric',
        month: lang === 'ja' ? 'long' : 'short',
        day: 'numeric',
      }),
  ).format(new Date(iso));
}

/** 2026年12月5日 14:05 (ja), in JST. */
export function formatDateTime(iso: string, lang: Lang): string {
  return cached(
    `datetime ${lang}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[lang], {
        timeZone: TOKYO,
        year: 'numeric',
        month: lang === 'ja' ? 'long' : 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }),
  ).format(new Date(iso));
}

/** 2026-04 → 2026年4月 (ja) or Apr 2026 (en); the API's cohorts are JST months already. */
export function formatMonth(yyyyMm: string, lang: Lang): string {
  const [year, month] = yyyyMm.split('-').map(Number);
  if (!year || !month) return yyyyMm;
  if (lang === 'ja') return `${year}年${month}月`;
  return cached(
    'month en',
    () => new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' }),
  ).format(Date.UTC(year, month - 1, 1));
}

/**
 * Builds the formatters a page opened first uses, in the user's language. The first Intl
 * formatter of a page loads ICU's locale and time-zone data: 70–90 ms of main thread in Chromium
 * (bench/console's profile: the dashboard's figures and the list's dates waited for it). Called
 * by the entry (main.tsx) while the main thread waits for React, Ant Design and the data.
 */
export function warmFormatters(lang: Lang): void {
  const now = new Date().toISOString();
  formatNumber(0, lang);
  formatYen(0, lang);
  formatPercent(0, lang);
  formatDate(now, lang);
  formatDateTime(now, lang);
}
