// Durations and waits in Japan time: when a run that reaches a wait (or a wait for an event)
// becomes due. Every instant is computed from the `now` the engine got from its Clock.
import { type WaitSpec, WEEKDAYS } from './definition.ts';

const JST_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

// Weeks, days, hours, minutes and seconds only: months and years have no fixed length, and a
// shop that means "a month later" can say P30D.
const DURATION = /^P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$/;

/** Milliseconds of an ISO-8601 duration (PnW, PnD, PTnH, PTnM, PTnS and combinations), or null. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [, w, d, h, min, s] = m.map((v) => Number(v ?? 0));
  const ms = ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (min ?? 0)) * 60_000 + (s ?? 0) * 1000;
  return ms > 0 ? ms : null;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of 'HH:MM', or null. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The UTC instant of JST midnight of the JST day `now` falls on. */
function jstMidnight(now: Date): number {
  return Math.floor((now.getTime() + JST_MS) / DAY_MS) * DAY_MS - JST_MS;
}

/**
 * When a wait that starts at `now` ends. `until` is the JST day `dayOffset` days after today at
 * `at` (a past instant on day 0 means at once); `weekday` is the next such JST day at `at`, today
 * if that time is still ahead. The spec was validated, so its texts parse.
 *
 * @example
 * // 2027-01-01 15:00 JST, "3 days later at 10:00" → 2027-01-04 10:00 JST
 * waitEnd({ until: { dayOffset: 3, at: '10:00' } }, new Date('2027-01-01T15:00:00+09:00'));
 */
export function waitEnd(spec: WaitSpec, now: Date): Date {
  if ('duration' in spec) return new Date(now.getTime() + (parseDuration(spec.duration) ?? 0));
  const midnight = jstMidnight(now);
  if ('until' in spec) {
    const at = (parseTimeOfDay(spec.until.at) ?? 0) * 60_000;
    return new Date(midnight + spec.until.dayOffset * DAY_MS + at);
  }
  const at = (parseTimeOfDay(spec.weekday.at) ?? 0) * 60_000;
  const today = new Date(midnight + JST_MS).getUTCDay();
  let days = (WEEKDAYS.indexOf(spec.weekday.day) - today + 7) % 7;
  if (days === 0 && midnight + at <= now.getTime()) days = 7;
  return new Date(midnight + days * DAY_MS + at);
}
