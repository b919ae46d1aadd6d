// Runs vitest and ends with the plain `N passed, N failed` line that CI reads (CI does not parse
// vitest's own summary). Arguments are passed through to vitest, e.g. `--project server`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
  testResults?: {
    name: string;
    startTime: number;
    endTime: number;
    status?: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

const dir = mkdtempSync(join(tmpdir(), 'kizuna-vitest-'));
const out = join(dir, 'results.json');
const result = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let summary: VitestJson | undefined;
try {
  summary = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
} catch {
  summary = undefined;
}
rmSync(dir, { recursive: true, force: true });
if (!summary) {
  console.log('0 passed, 1 failed');
  console.error('kizuna test: vitest produced no results (see its output above)');
  process.exit(result.status || 1);
}
// The slowest files, so that a long run shows where its time went (CI keeps the whole run short).
const files = (summary.testResults ?? []).filter((f) => f.endTime > f.startTime);
if (files.length > 10) {
  const slowest = [...files].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, 12);
  console.log('slowest test files:');
  for (const f of slowest)
    console.log(
      `  ${((f.endTime - f.startTime) / 1000).toFixed(1).padStart(6)} s  ${relative(process.cwd(), f.name)}`,
    );
}
// The failures again, last, so that the tail of a long CI log names them (file, test, first lines).
const failures: string[] = [];
const firstLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 4)
    .map((l) => `      ${l.slice(0, 300)}`)
    .join('\n');
for (const f of summary.testResults ?? []) {
  const file = relative(process.cwd(), f.name);
  const failedTests = (f.assertionResults ?? []).filter((a) => a.status === 'failed');
  for (const a of failedTests)
    failures.push(`  ${file} > ${a.fullName}\n${firstLines((a.failureMessages ?? []).join('\n'))}`);
  if (failedTests.length === 0 && f.status === 'failed')
    failures.push(`  ${file} (the file failed outside its tests)\n${firstLines(f.message ?? '')}`);
}
if (failures.length > 0) {
  console.log('failed tests:');
  for (const f of failures) console.log(f);
}
const skipped = summary.numPendingTests + summary.numTodoTests;
const failed = summary.numFailedTests + (summary.success || summary.numFailedTests > 0 ? 0 : 1);
console.log(`${summary.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(result.status ?? 1);
