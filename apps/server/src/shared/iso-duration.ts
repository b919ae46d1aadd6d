// ISO-8601 durations as Kizuna accepts them: days, hours, minutes and seconds (`P3D`, `PT2H`,
// `P1DT12H30M`, `PT0.5S`), and weeks (`P2W`). Years and months are refused: their length depends
// on the date they start from, and a wait that means "one month" should say so with a calendar
// rule, not a duration.

const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * Milliseconds in the duration, or a reason it is not one Kizuna accepts.
 *
 * @example
 * parseIsoDuration('P3D') // { ok: true, ms: 259_200_000 }
 */
export function parseIsoDuration(text: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const match = PATTERN.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    return { ok: false, reason: `"${text}" is not an ISO-8601 duration such as P3D, PT2H or P1DT12H` };
  }
  const [, w, d, h, m, s] = match;
  const ms =
    (Number(w ?? 0) * 7 * 86_400 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(m ?? 0) * 60) *
      1000 +
    Math.round(Number(s ?? 0) * 1000);
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: `"${text}" is too long` };
  return { ok: true, ms };
}
