// Where a console load's main-thread time goes: self time of a CPU profile (CDP Profiler, sampled
// every 0.2 ms) by script file and by function. `console.ts --profile` prints it for one extra
// cold load of each page after the rounds (not counted in the figures: the profiler slows the page).
import type { CpuProfile } from './page-load.ts';

/** Milliseconds of self time per key (a file, or a function in its file), largest first. */
export function selfTimes(
  profile: CpuProfile,
  keyOf: (frame: CpuProfile['nodes'][number]['callFrame']) => string,
) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

const fileOf = (url: string) => (url ? url.replace(/^.*\//, '') : '(native)');

/** The profile's biggest self times by file and by function, as lines to print. */
export function describeProfile(profile: CpuProfile, top = 12): string[] {
  const lines: string[] = [];
  const byFile = selfTimes(profile, (f) => fileOf(f.url));
  const total = byFile.reduce((sum, [, ms]) => sum + ms, 0);
  lines.push(`    profiled ${Math.round(total)} ms of samples; self time by file:`);
  for (const [file, ms] of byFile.slice(0, top)) lines.push(`      ${file}: ${Math.round(ms)} ms`);
  lines.push('    by function:');
  for (const [fn, ms] of selfTimes(
    profile,
    (f) => `${f.functionName || '(anonymous)'} ${fileOf(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`,
  ).slice(0, top))
    lines.push(`      ${fn}: ${Math.round(ms)} ms`);
  return lines;
}
