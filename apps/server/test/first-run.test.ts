// What an operator meets on a first run: readable log lines on a terminal (JSON elsewhere), one
// line naming a bad environment variable instead of a stack trace, and a /health that says ready
// only while the API can serve.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import { formatLogLine, prettyDestination } from '../src/shared/pretty-log.ts';
import { createTestApp } from './helpers.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-first-run-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const full: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir, ...env };
  delete full.DATABASE_URL;
  return spawnSync(process.execPath, [bin, 'start'], { env: full, encoding: 'utf8', timeout: 60_000 });
}

describe('a bad environment value', () => {
  it.each([
    ['PORT', 'abc', /^kizuna: environment variable PORT: must be an integer from 0 to 65535, got "abc"$/],
    [
      'KIZUNA_LOG_FORMAT',
      'fancy',
      /^kizuna: environment variable KIZUNA_LOG_FORMAT: must be json, pretty or auto/,
    ],
    [
      'DATABASE_URL',
      'mysql://x',
      /^kizuna: environment variable DATABASE_URL: must start with postgres:\/\//,
    ],
  ])('%s=%s stops the start with one line naming it, and no stack trace', (key, value, message) => {
    const full: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir, [key]: value };
    if (key !== 'DATABASE_URL') delete full.DATABASE_URL;
    const run = spawnSync(process.execPath, [bin, 'start'], { env: full, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('KIZUNA_LOG_FORMAT accepts json, pretty and auto (the default)', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ KIZUNA_LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(() => loadConfig({ KIZUNA_LOG_FORMAT: 'yaml' })).toThrow(ConfigError);
    // A wrong value elsewhere still fails before anything starts.
    expect(start({ PORT: '70000' }).status).toBe(1);
  });
});

describe('readable logs on a terminal', () => {
  it('formats an entry as time, level, message and fields, keeping the logger’s redaction', () => {
    const written: string[] = [];
    const out = {
      write: (text: string) => written.push(text),
      isTTY: false,
    } as unknown as NodeJS.WritableStream;
    const logger = createLogger('info', prettyDestination(out));
    logger.info({ database: 'pglite', migrationVersion: 14, email: 'hanako@example.jp' }, 'database ready');
    logger.debug('below the level');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}database ready database=pglite migrationVersion=14 email="?\[redacted\]"?\n$/,
    );
    expect(written[0]).not.toContain('hanako');
  });

  it('shows an error’s stack under its line, quotes values with spaces, and passes other text through', () => {
    const line = JSON.stringify({
      level: 50,
      time: Date.UTC(2026, 11, 6, 3, 4, 5),
      msg: 'job failed',
      queue: 'loyalty orders',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (file.ts:1:1)' },
    });
    const text = formatLogLine(line, false);
    expect(text.split('\n')[0]).toMatch(
      /^\d\d:\d\d:\d\d ERROR job failed queue="loyalty orders" err=\{"type":"Error","message":"boom"\}$/,
    );
    expect(text).toContain('\n    Error: boom\n        at x (file.ts:1:1)');
    expect(formatLogLine('not json', false)).toBe('not json');
    expect(formatLogLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
  });
});

describe('/health', () => {
  it('is 200 while the database answers and 503 with a reason once it does not', async () => {
    const t = await createTestApp();
    const ok = await t.app.inject({ method: 'GET', url: '/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok' });
    await t.database.close();
    const down = await t.app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable', reason: 'the database does not answer' });
    await t.app.close();
  });
});
