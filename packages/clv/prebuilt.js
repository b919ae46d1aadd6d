/**
 * The `kizuna clv` command, from the prebuilt bundle in dist/ when it is current, else from the
 * TypeScript sources. Plain JavaScript, so that choosing costs no type stripping: the bin calls
 * this first. `build/build-cli.js` writes the bundle and its build-info.json.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(fileURLToPath(import.meta.url));

/**
 * True when build-info.json exists and every source file it lists still has the size and
 * modification time it had at build time (a stat each: well under a millisecond in all).
 */
export function buildInfoIsFresh(infoFile, sourceRoot = packageDir) {
  let info;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(info.files) || info.files.length === 0) return false;
  for (const f of info.files) {
    try {
      const st = statSync(join(sourceRoot, f.path));
      if (st.size !== f.size || st.mtimeMs !== f.mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The clv command module (`runClvCli`, `runClv`): the bundle when current, else the sources. */
export async function loadClvCli() {
  if (buildInfoIsFresh(join(packageDir, 'dist', 'build-info.json'))) return import('./dist/cli.js');
  return import('./src/cli.ts');
}
