// Moving simulated time, with the caller's mistakes as field errors rather than RangeErrors.
import type { ClockControl } from '../jobs/simulated-time.ts';
import { invalid } from '../shared/domain-error.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Moves `control` forward by `ms` or to the instant `to` (which must carry an offset). */
export async function moveClock(control: ClockControl, move: { ms: number } | { to: string }): Promise<Date> {
  if ('ms' in move) return control.advanceBy(move.ms);
  const instant = new Date(move.to);
  if (!INSTANT.test(move.to) || Number.isNaN(instant.getTime()))
    throw invalid([
      {
        path: 'setTo',
        message: `"${move.to}" is not an instant with an offset, e.g. 2027-01-01T10:00:00+09:00`,
      },
    ]);
  const now = control.clock.now();
  if (instant < now)
    throw invalid([
      {
        path: 'setTo',
        message: `${instant.toISOString()} is before the current time ${now.toISOString()}; time only moves forward`,
      },
    ]);
  return control.setTo(instant);
}
