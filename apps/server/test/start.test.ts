// Runs the real `kizuna start` process on a fresh embedded database, as the README's quick start
// does, and checks that it answers /health and stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../src/db/migrate.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-start-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Collects a process's stdout; `waitFor` resolves once the collected text matches. */
function collect(proc: ChildProcess): { waitFor(pattern: RegExp): Promise<RegExpExecArray> } {
  let seen = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] =
    [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(seen);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    check();
  });
  proc.on('exit', (code) => {
    for (const waiter of waiters)
      waiter.reject(new Error(`exited with ${code} before printing ${waiter.pattern}; output:\n${seen}`));
  });
  return {
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}

describe('kizuna start', () => {
  it('starts on the embedded database, prints the URL and login, answers /health, and drains on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KIZUNA_DATA_DIR: dataDir,
      PORT: '0',
      KIZUNA_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const output = collect(child);
    const [, url] = await output.waitFor(/API:\s+(http:\/\/127\.0\.0\.1:\d+)/);
    const login = await output.waitFor(/Login: (\S+)\s+password: (\S+)/);
    expect(login[1]).toBe('owner@kizuna.local');
    const health = await fetch(`${url}/health`);
    const latest = Math.max(...listMigrations().map((m) => m.version));
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite', migrationVersion: latest });
    expect(existsSync(join(dataDir, 'kizuna.lock'))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'kizuna.lock'))).toBe(false);
  });
});
