// Japan time (UTC+9, no daylight saving): the calendar a Japanese shop counts its days in.

/** The JST calendar day of an instant, 'YYYY-MM-DD'. */
export function jstDay(at: Date): string {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}
