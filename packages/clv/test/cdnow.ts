/** Loaders for the CDNOW reference data in ../shared/data/cdnow (read in place, never copied). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RfmSummary } from '../src/summary.ts';

/**
 * shared/ beside the checkout: next to the repository (/work/main → /work/shared), or further up
 * for a checkout one level deeper (a worktree under /work/wt/NAME).
 */
function sharedData(): string {
  let dir = join(import.meta.dirname, '..', '..', '..');
  for (let up = 0; up < 3; up++) {
    const candidate = join(dir, '..', 'shared', 'data', 'cdnow');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'cdnow');
}

export const DATA = sharedData();

/** CLI flags that read the raw CDNOW sample log (whitespace separated, no header). */
export const SAMPLE_LOG_ARGS = [
  '--transactions',
  join(DATA, 'CDNOW_sample.txt'),
  '--no-header',
  '--customer-col',
  '2',
  '--date-col',
  '3',
  '--amount-col',
  '5',
];
/** The published calibration/holdout split of the sample, in weeks. */
export const HOLDOUT_ARGS = [
  '--unit',
  'week',
  '--calibration-end',
  '1997-09-30',
  '--holdout-end',
  '1998-06-30',
];

function rows(file: string): number[][] {
  return readFileSync(join(DATA, file), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(',').map(Number));
}

/** The 2,357-customer calibration summary, weeks, with zbar as `monetary`. */
export function cdnowSummary(): RfmSummary & { id: number[] } {
  const r = rows('cdnow_customers_summary_with_transactions.csv');
  return {
    id: r.map((v) => v[0]!),
    x: Float64Array.from(r, (v) => v[1]!),
    tx: Float64Array.from(r, (v) => v[2]!),
    T: Float64Array.from(r, (v) => v[3]!),
    monetary: Float64Array.from(r, (v) => v[4]!),
  };
}

export function donations(): RfmSummary {
  const r = rows('donations.csv');
  return {
    x: Float64Array.from(r, (v) => v[0]!),
    tx: Float64Array.from(r, (v) => v[1]!),
    T: Float64Array.from(r, (v) => v[2]!),
    weight: Float64Array.from(r, (v) => v[3]!),
  };
}

export function dayNumber(yyyymmdd: string): number {
  return Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)) / 86_400_000;
}

/** CDNOW_sample.txt as a transaction log; customer code = sample id − 1. */
export function cdnowSampleLog() {
  const r = readFileSync(join(DATA, 'CDNOW_sample.txt'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/));
  return {
    customer: Uint32Array.from(r, (v) => Number(v[1]) - 1),
    day: Int32Array.from(r, (v) => dayNumber(v[2]!)),
    amount: Float64Array.from(r, (v) => Number(v[4])),
    customerCount: 2357,
  };
}
