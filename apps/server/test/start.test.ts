// Runs the real `kizuna start` process on a fresh embedded database, as the README's quick start
// does, and checks that it answers /health and stops cleanly on SIGTERM; that its first-start
// login never reaches its output (the JSON log), and that its data directory is private.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Collects one of a process's output streams; `waitFor` resolves once the collected text matches. */
function collect(
  proc: ChildProcess,
  stream: 'stdout' | 'stderr',
): { waitFor(pattern: RegExp): Promise<RegExpExecArray>; text(): string } {
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
  proc[stream]?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    check();
  });
  proc.on('exit', (code) => {
    for (const waiter of waiters)
      waiter.reject(new Error(`exited with ${code} before printing ${waiter.pattern}; output:\n${seen}`));
  });
  return {
    text: () => seen,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}

describe('kizuna start', () => {
  it('starts on the embedded database, prints the URL and where the login is, answers /health, and drains on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KIZUNA_DATA_DIR: dataDir,
      PORT: '0',
      KIZUNA_LOG_LEVEL: 'info',
    };
    delete env.DATABASE_URL;
    // Detached: no controlling terminal, as under a service manager, so the login goes to a file.
    child = spawn(process.execPath, [bin, 'start'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // Standard output is the JSON log; the banner stands apart from it, on standard error.
    const output = collect(child, 'stdout');
    const banner = collect(child, 'stderr');
    const [, url] = await banner.waitFor(/API:\s+(http:\/\/127\.0\.0\.1:\d+)/);
    const login = await banner.waitFor(/Login: (\S+)\s+\((.*)\)/);
    expect(login[1]).toBe('owner@kizuna.local');
    const file = join(dataDir, 'first-login.txt');
    expect(login[2]).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const credentials = readFileSync(file, 'utf8');
    const password = /password: (\S+)/.exec(credentials)![1]!;
    const apiKey = /API key \(shown once\): (\S+)/.exec(credentials)![1]!;
    const session = await fetch(`${url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: login[1], password }),
    });
    expect(session.status).toBe(200);
    expect(
      (await fetch(`${url}/v1/customers`, { headers: { authorization: `Bearer ${apiKey}` } })).status,
    ).toBe(200);
    const health = await fetch(`${url}/health`);
    const latest = Math.max(...listMigrations().map((m) => m.version));
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite', migrationVersion: latest });
    expect(existsSync(join(dataDir, 'kizuna.lock'))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'kizuna.lock'))).toBe(false);
    // The output held the JSON log, one entry a line, and neither stream the password or the key.
    expect(output.text()).toContain('"msg":"database ready"');
    for (const line of output.text().split('\n').filter(Boolean))
      expect(() => JSON.parse(line), line).not.toThrow();
    for (const text of [output.text(), banner.text()]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(apiKey);
    }
    // Every directory and file of the first start is the owner's only.
    const loose = readdirSync(dataDir, { recursive: true, withFileTypes: true })
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => (statSync(path).mode & 0o077) !== 0);
    expect(loose).toEqual([]);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('with a terminal, the login is shown on it and no file is written', () => {
    const file = join(dataDir, 'tty', 'first-login.txt');
    const program = join(dataDir, 'show-on-terminal.mjs');
    const module = join(import.meta.dirname, '..', 'src', 'shared', 'show-secrets.ts');
    writeFileSync(
      program,
      `import { showSecrets } from ${JSON.stringify(module)};\n` +
        `const at = showSecrets('  password: secret-on-the-terminal\\n', { fallbackFile: ${JSON.stringify(file)} });\n` +
        'console.log(JSON.stringify(at));\n',
    );
    // util-linux's script(1) runs the command on a pseudo-terminal and copies what it shows.
    const shown = spawnSync('script', ['-qec', `"${process.execPath}" "${program}"`, '/dev/null'], {
      encoding: 'utf8',
    });
    expect(shown.status, `${shown.stdout}${shown.stderr}`).toBe(0);
    expect(shown.stdout).toContain('password: secret-on-the-terminal');
    expect(shown.stdout).toContain('{"kind":"stdout"}');
    expect(existsSync(file)).toBe(false);
  });
});
