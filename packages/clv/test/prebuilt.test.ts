/**
 * The prebuilt `kizuna clv` bundle: built from the sources it gives the sources' answers, and it
 * is only used while every source file it was built from is unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClvCli } from '../build/build-cli.js';
import { buildInfoIsFresh } from '../prebuilt.js';
import { type CliIo, runClv } from '../src/cli.ts';
import { DATA } from './cdnow.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kizuna-clv-prebuilt-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function output(run: typeof runClv, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = {
    readFile: (p) => readFileSync(p),
    writeFile: () => undefined,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      out += t;
    },
  };
  const code = await run(argv, io);
  return { code, out };
}

describe('prebuilt clv command', () => {
  it('the bundle prints what the sources print (CDNOW, bgnbd,gg,pareto --json; a bad file)', async () => {
    const out = tempDir();
    const files = await buildClvCli(out);
    expect(files.map((f) => f.path)).toContain('src/bg-kernel.ts');
    const packageDir = join(import.meta.dirname, '..');
    expect(buildInfoIsFresh(join(out, 'build-info.json'), packageDir)).toBe(true);
    const bundle = (await import(join(out, 'cli.js'))) as { runClv: typeof runClv };
    const file = join(DATA, 'cdnow_customers_summary_with_transactions.csv');
    const argv = ['fit', '--summary', file, '--model', 'bgnbd,gg,pareto', '--json'];
    const fromBundle = await output(bundle.runClv, argv);
    expect(fromBundle.code).toBe(0);
    expect(fromBundle.out).toBe((await output(runClv, argv)).out);
    expect(JSON.parse(fromBundle.out)[0].params.r).toBeCloseTo(0.2426, 4);
    const bad = ['fit', '--summary', join(DATA, 'donations.csv'), '--json'];
    expect(await output(bundle.runClv, bad)).toEqual(await output(runClv, bad));
  });

  it('is stale when a listed source changes size or time, goes missing, or the info is unreadable', () => {
    const root = tempDir();
    const src = join(root, 'a.ts');
    writeFileSync(src, 'export const a = 1;\n');
    const info = join(root, 'build-info.json');
    const write = () => {
      const st = statSync(src);
      writeFileSync(
        info,
        JSON.stringify({ entry: 'cli.js', files: [{ path: 'a.ts', size: st.size, mtimeMs: st.mtimeMs }] }),
      );
    };
    write();
    expect(buildInfoIsFresh(info, root)).toBe(true);
    utimesSync(src, new Date(), new Date(Date.now() + 5000));
    expect(buildInfoIsFresh(info, root)).toBe(false);
    write();
    expect(buildInfoIsFresh(info, root)).toBe(true);
    writeFileSync(src, 'export const a = 333;\n'); // size changes
    expect(buildInfoIsFresh(info, root)).toBe(false);
    rmSync(src);
    expect(buildInfoIsFresh(info, root)).toBe(false);
    writeFileSync(info, '{not json');
    expect(buildInfoIsFresh(info, root)).toBe(false);
    expect(buildInfoIsFresh(join(root, 'missing.json'), root)).toBe(false);
  });
});
