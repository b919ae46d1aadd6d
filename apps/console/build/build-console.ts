/**
 * Builds the console into `dist/` with Vite and writes `dist/build-info.json` last, as the stamp
 * the `kizuna` script compares the sources against (rebuilt when a source is newer). Writing the
 * stamp only after a complete build means an interrupted build is rebuilt, never served half.
 *
 *   node apps/console/build/build-console.ts
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const consoleDir = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
await build({ configFile: `${consoleDir}vite.config.ts`, root: consoleDir });
const ms = Math.round(performance.now() - started);
// The stamp records when; the sources themselves are compared by modification time.
await writeFile(`${consoleDir}dist/build-info.json`, `${JSON.stringify({ builtInMs: ms }, null, 2)}\n`);
console.error(`kizuna: built the console into apps/console/dist in ${(ms / 1000).toFixed(1)} s`);
