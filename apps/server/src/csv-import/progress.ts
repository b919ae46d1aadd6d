// Progress on stderr while a file imports: rows/s and an ETA from the bytes read so far.
// On a terminal one line is redrawn every 500 ms; elsewhere (a log, CI) a plain line is printed
// every 5 s.
import type { ImportProgress } from './import-csv.ts';

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/** Returns the onProgress callback and a `done()` that ends the redrawn line. */
export function progressReporter(
  out: ProgressOutput,
  now: () => number = Date.now,
): { onProgress: (p: ImportProgress) => void; done: () => void } {
  const tty = Boolean(out.isTTY);
  const every = tty ? 500 : 5000;
  let phase: ImportProgress['phase'] | undefined;
  let started = now();
  let last = 0;
  let drawn = false;
  return {
    onProgress: (p) => {
      const t = now();
      if (p.phase !== phase) {
        phase = p.phase;
        started = t;
        last = t;
        return;
      }
      if (t - last < every) return;
      last = t;
      const elapsed = (t - started) / 1000;
      const fraction = p.totalBytes ? p.bytesRead / p.totalBytes : 1;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.POSITIVE_INFINITY;
      const rate = Math.round(p.rows / Math.max(elapsed, 0.001));
      const text = `${p.phase === 'validate' ? 'validating' : 'importing'}: ${p.rows.toLocaleString('en')} rows, ${(fraction * 100).toFixed(1)}%, ${rate.toLocaleString('en')} rows/s, ETA ${duration(eta)}`;
      out.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
      drawn = tty;
    },
    done: () => {
      if (drawn) out.write('\r\x1b[K');
      drawn = false;
    },
  };
}
