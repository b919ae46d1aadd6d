import { readFileSync } from 'node:fs';
export function readCdnow() {
  const lines = readFileSync('/work/shared/data/cdnow/cdnow_customers_summary_with_transactions.csv', 'utf8').trim().split(/\r?\n/).slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  return { x: Float64Array.from(rows, (r) => r[1]!), tx: Float64Array.from(rows, (r) => r[2]!), T: Float64Array.from(rows, (r) => r[3]!), monetary: Float64Array.from(rows, (r) => r[4]!) };
}
