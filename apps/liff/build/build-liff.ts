/**
 * Builds the LIFF app into `dist/` with Vite and writes `dist/build-info.json` last, as the stamp
 * the `kizuna` script compares the sources against (as for the console: an interrupted build has
 * no stamp, so it is rebuilt, never served half). The stamp also records the gzipped size of the
 * scripts the first screen loads, which must stay under 150 KB (a phone on a slow network).
 *
 *   node apps/liff/build/build-liff.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const liffDir = fileURLToPath(new URL('..', import.meta.url));
const BUDGET = 150 * 1024;
const started = performance.now();
await build({ configFile: `${liffDir}vite.config.ts`, root: liffDir });
const ms = Math.round(performance.now() - started);
// The scripts index.html names are the first load; lazily loaded chunks (the LIFF mock) are not.
const html = readFileSync(`${liffDir}dist/index.html`, 'utf8');
const firstLoad = readdirSync(`${liffDir}dist/assets`).filter(
  (name) => name.endsWith('.js') && html.includes(`/liff/assets/${name}`),
);
const gzipBytes = firstLoad.reduce(
  (sum, name) => sum + gzipSync(readFileSync(`${liffDir}dist/assets/${name}`)).length,
  0,
);
if (gzipBytes > BUDGET) {
  throw new Error(
    `the LIFF app's first-load scripts are ${gzipBytes} bytes gzipped, over the ${BUDGET} budget`,
  );
}
await writeFile(
  `${liffDir}dist/build-info.json`,
  `${JSON.stringify({ builtInMs: ms, gzipBytes }, null, 2)}\n`,
);
console.error(
  `kizuna: built the LIFF app into apps/liff/dist in ${(ms / 1000).toFixed(1)} s (${(gzipBytes / 1024).toFixed(1)} KB gzipped JS)`,
);
