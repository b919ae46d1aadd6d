// The operator commands as whole processes on a fresh embedded database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open-database.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function kizuna(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

describe('kizuna init and migrate', () => {
  let generatedOwner = '';
  it('init without --email makes an owner with a generated password, and migrate is then up to date', () => {
    const init = kizuna('init', '--json', '--name', '美容室さくら');
    expect(init.status).toBe(0);
    const created = JSON.parse(init.stdout);
    expect(Object.keys(created).sort()).toEqual([
      'apiKey',
      'invitationUrl',
      'ownerEmail',
      'ownerPassword',
      'workspaceId',
    ]);
    expect(created.apiKey).toMatch(new RegExp(`^kz_${created.workspaceId.replace(/-/g, '')}_`));
    expect(created.ownerPassword.length).toBeGreaterThanOrEqual(12);
    expect(created.invitationUrl).toBeNull();
    generatedOwner = created.ownerEmail;
    const migrate = kizuna('migrate');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/^up to date at version \d+/);
  });

  it('init --email invites the owner: a new person sets their own password, an existing user is not attached', async () => {
    const fresh = JSON.parse(kizuna('init', '--json', '--email', 'Owner@Sakura.example.jp').stdout);
    expect(fresh.ownerEmail).toBe('owner@sakura.example.jp');
    expect(fresh.ownerPassword).toBeNull();
    expect(fresh.invitationUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\/invite#token=kzi_/);
    const existing = JSON.parse(kizuna('init', '--json', '--email', generatedOwner).stdout);
    expect(existing.ownerPassword).toBeNull();
    expect(existing.invitationUrl).toMatch(/invite#token=kzi_/);
    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const members = await database.db
        .selectFrom('workspace_member')
        .select('workspace_id')
        .where('workspace_id', 'in', [fresh.workspaceId, existing.workspaceId])
        .execute();
      expect(members).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('users reset-password prints a one-time link, and names an unknown email', () => {
    const reset = kizuna('users', 'reset-password', '--email', generatedOwner);
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/reset-password#token=kzr_[\w-]{43}/);
    const unknown = kizuna('users', 'reset-password', '--email', 'nobody@example.jp');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('kizuna users reset-password: user nobody@example.jp not found\n');
  });

  it('explains an unknown command and exits 2', () => {
    const result = kizuna('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('kizuna clv through the bin', () => {
  const cdnow = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'cdnow');
  it('fit --json on the CDNOW summary prints the FHL 2005 BG/NBD fit (r 0.243, α 4.414) and exits 0', () => {
    const result = kizuna('clv', 'fit', '--summary', join(cdnow, 'cdnow_customers_summary.csv'), '--json');
    expect(result.status).toBe(0);
    const fit = JSON.parse(result.stdout);
    expect(fit.params.r).toBeCloseTo(0.243, 3);
    expect(fit.params.alpha).toBeCloseTo(4.414, 3);
  });
  it('a missing file: one line naming it, exit 1', () => {
    const result = kizuna('clv', 'fit', '--summary', join(cdnow, 'missing.csv'));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`kizuna clv: cannot read ${join(cdnow, 'missing.csv')}: no such file\n`);
  });
});
