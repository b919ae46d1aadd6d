/**
 * Builds `dist/`: the `kizuna clv` command as plain JavaScript, bundled by rolldown into a few
 * chunks (the fit's code in one, predictions, the report and the other models loaded on demand),
 * and `dist/build-info.json`, the source files that went into it with their sizes and times.
 *
 * Why: a fit is a short process, and run from the TypeScript sources a third of it went to
 * start-up (Node's type stripping loads a WebAssembly compiler and strips each file, ≈ 150 ms
 * before any work). `prebuilt.js` uses the bundle only while every source file listed is
 * unchanged, so an edited source is never shadowed by an old build.
 *
 *   node packages/clv/build/build-cli.js [--out DIR] [--if-stale]
 */
import { statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInfoIsFresh } from '../prebuilt.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles src/cli.ts into `outDir` and writes its build-info.json; returns the source files. */
export async function buildClvCli(outDir = join(packageDir, 'dist')) {
  const { build } = await import('rolldown');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    input: { cli: join(packageDir, 'src', 'cli.ts') },
    platform: 'node',
    // @stdlib stays a dependency resolved at run time (only predictions and the report load it).
    external: [/^@stdlib\//, /^node:/],
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    logLevel: 'warn',
  });
  const sources = new Set();
  for (const chunk of result.output) {
    if (chunk.type !== 'chunk') continue;
    for (const id of chunk.moduleIds) if (id.startsWith(packageDir) && id.endsWith('.ts')) sources.add(id);
  }
  const files = [...sources].sort().map((file) => {
    const st = statSync(file);
    return { path: relative(packageDir, file), size: st.size, mtimeMs: st.mtimeMs };
  });
  await writeFile(
    join(outDir, 'build-info.json'),
    `${JSON.stringify({ entry: 'cli.js', files }, null, 2)}\n`,
  );
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(packageDir, 'dist');
  if (args.includes('--if-stale') && buildInfoIsFresh(join(out, 'build-info.json'), packageDir))
    process.exit(0);
  const t = performance.now();
  const files = await buildClvCli(out);
  console.error(
    `kizuna: built the clv command (${files.length} source files) into ${relative(process.cwd(), out) || '.'} in ${Math.round(performance.now() - t)} ms`,
  );
}
