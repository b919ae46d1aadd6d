// Times `kizuna import` as users run it (a whole process, under /usr/bin/time for the peak RSS),
// on the embedded PGlite and on PostgreSQL, beside two baselines measured in the same run: a
// parse-only pass over the same file, and per database a plain COPY of the same file into a table
// with the file's columns (bench/import/copy-baseline.ts).
//
//   node bench/import/run.ts [--kind customers|orders] [--rows 1000000] [--db pglite,postgres]
//                            [--pg-url postgres://postgres@127.0.0.1:5432/kizuna_import_bench]
//
// Each database starts empty (a fresh data directory; the PostgreSQL database is dropped and
// created), gets one workspace, then the file is imported twice: the second run is the
// idempotent re-import (every row unchanged).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type OpenDatabaseOptions, openDatabase } from '@kizuna/server/database';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'customers' },
    rows: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'pglite,postgres' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/kizuna_import_bench' },
  },
});
const kind = values.kind;
const rows = Number(values.rows);
const file = `/tmp/kizuna-import-${kind}-${rows}.csv`;
const bin = new URL('../../node_modules/.bin/kizuna', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;

if (!existsSync(file))
  execFileSync(process.execPath, ['bench/import/generate.ts', kind, String(rows), file], {
    cwd: root,
    stdio: 'inherit',
  });

interface Timed {
  seconds: number;
  peakMb: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time: wall seconds and maximum resident set size. */
function timed(command: string[], env: NodeJS.ProcessEnv): Timed {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', ...command], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const match = /TIME ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match)
    throw new Error(`${command.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return { seconds: Number(match[1]), peakMb: Number(match[2]) / 1024, stdout: result.stdout.trim() };
}

async function prepare(target: 'pglite' | 'postgres'): Promise<NodeJS.ProcessEnv> {
  let options: OpenDatabaseOptions;
  let env: NodeJS.ProcessEnv;
  if (target === 'pglite') {
    const dataDir = '/tmp/kizuna-import-bench-pglite';
    rmSync(dataDir, { recursive: true, force: true });
    options = { kind: 'pglite', dataDir };
    env = { KIZUNA_DATA_DIR: dataDir, DATABASE_URL: '' };
  } else {
    const url = new URL(values['pg-url']);
    const name = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`drop database if exists "${name}"`);
    await admin.query(`create database "${name}"`);
    await admin.end();
    options = { kind: 'postgres', url: values['pg-url'] };
    env = { DATABASE_URL: values['pg-url'] };
  }
  const database = await openDatabase(options);
  await migrate(database);
  await initWorkspace(database.db, { name: 'bench', ownerEmail: 'bench@example.jp' });
  await database.close();
  return env;
}

console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const rate = (t: Timed) => Math.round(rows / t.seconds).toLocaleString('en');
const parse = timed([process.execPath, 'bench/import/parse-only.ts', file], {});
console.log(`file: ${file} (${kind}, ${rows.toLocaleString('en')} rows)`);
console.log(
  `parse only (baseline): ${parse.seconds} s, ${rate(parse)} rows/s, peak RSS ${parse.peakMb.toFixed(0)} MB`,
);
for (const target of values.db.split(',') as ('pglite' | 'postgres')[]) {
  const env = await prepare(target);
  const copyDir = '/tmp/kizuna-import-bench-copy';
  rmSync(copyDir, { recursive: true, force: true });
  const copy = timed(
    [
      process.execPath,
      'bench/import/copy-baseline.ts',
      file,
      target,
      target === 'postgres' ? values['pg-url'] : copyDir,
    ],
    {},
  );
  console.log(
    `${target} plain COPY (baseline): ${copy.seconds} s, ${rate(copy)} rows/s, peak RSS ${copy.peakMb.toFixed(0)} MB\n  ${copy.stdout}`,
  );
  const first = timed([bin, 'import', kind, file], env);
  console.log(
    `${target} import: ${first.seconds} s, ${rate(first)} rows/s, peak RSS ${first.peakMb.toFixed(0)} MB, ${((copy.seconds / first.seconds) * 100).toFixed(0)}% of COPY\n  ${first.stdout}`,
  );
  const again = timed([bin, 'import', kind, file], env);
  console.log(
    `${target} re-import: ${again.seconds} s, ${rate(again)} rows/s, peak RSS ${again.peakMb.toFixed(0)} MB\n  ${again.stdout}`,
  );
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
