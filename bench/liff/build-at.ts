// Builds the LIFF app as it was at a commit, for `liff.ts --before DIR`: the commit's apps/liff is
// extracted under node_modules/.cache/ (inside the checkout, so its imports resolve to this
// checkout's node_modules; outside what the type check and the linter read) and built there with
// its own vite.config.ts.
//
//   node bench/liff/build-at.ts <commit> [--out bench/out/liff-before]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'bench/out/liff-before' } },
});
const commit = positionals[0];
if (!commit) throw new Error('usage: node bench/liff/build-at.ts <commit> [--out DIR]');
const repo = fileURLToPath(new URL('../../', import.meta.url));
const source = `${repo}node_modules/.cache/kizuna-bench-liff`;
rmSync(source, { recursive: true, force: true });
mkdirSync(source, { recursive: true });
// The archive holds apps/liff/… and the tsconfig it extends as committed; tar extracts them under `source`.
const archive = execFileSync('git', ['-C', repo, 'archive', commit, 'apps/liff', 'tsconfig.base.json'], {
  maxBuffer: 64 * 2 ** 20,
});
execFileSync('tar', ['-x', '-C', source], { input: archive });
const root = `${source}/apps/liff`;
const outDir = values.out.startsWith('/') ? values.out : `${repo}${values.out}`;
await build({
  configFile: `${root}/vite.config.ts`,
  root,
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true },
});
console.error(`bench/liff: built apps/liff at ${commit} into ${outDir}`);
