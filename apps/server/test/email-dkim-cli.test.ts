// `kizuna email dkim --rotate` and `--activate` as whole processes on a fresh embedded database:
// the rotation prints the pending record beside the active one, activation prints the new key as
// the active one and the old one as removable, a second activation fails naming what is missing,
// and --activate refuses company. (PGlite only: the processes open the data directory.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open-database.ts';
import { putSender } from '../src/email/sender.ts';
import { createSecretBox, loadOrCreateKeyFile } from '../src/shared/secret-box.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-dkim-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function kizuna(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.KIZUNA_SECRET_KEY;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

let workspace = '';
beforeAll(async () => {
  const init = kizuna('init', '--json', '--name', '珈琲 絆');
  expect(init.status, init.stderr).toBe(0);
  workspace = JSON.parse(init.stdout).workspaceId;
  // The sender as PUT /v1/email/sender makes it, sealed with the data directory's key (as the CLI reads it).
  const database = await openDatabase({ kind: 'pglite', dataDir });
  try {
    await putSender(database.db, createSecretBox(loadOrCreateKeyFile(dataDir)), workspace, {
      fromName: '珈琲 絆',
      fromAddress: 'news@shop.example.jp',
      postalAddress: '東京都渋谷区神南1-2-3',
      contact: '03-1234-5678',
    });
  } finally {
    await database.close();
  }
}, 120_000);

/** The TXT value printed for a host, its DNS strings joined. */
const txtOf = (printed: string, host: string) => {
  const line = printed.split('\n').find((l) => l.startsWith(`${host}. IN TXT `));
  return line && [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
};
/** The comment line above a host's record. */
const purposeOf = (printed: string, host: string) => {
  const lines = printed.split('\n');
  return lines[lines.findIndex((l) => l.startsWith(`${host}. IN TXT `)) - 1];
};

describe('kizuna email dkim --rotate / --activate', () => {
  it('rotates to a pending selector, activates it, and names what is missing on a second activation', () => {
    const K1 = 'kizuna1._domainkey.shop.example.jp';
    const K2 = 'kizuna2._domainkey.shop.example.jp';
    const before = kizuna('email', 'dkim', '--workspace', workspace);
    expect(before.status, before.stderr).toBe(0);
    const current = txtOf(before.stdout, K1);
    expect(current).toMatch(/^v=DKIM1; k=rsa; p=/);
    expect(txtOf(before.stdout, K2)).toBeUndefined();

    const rotated = kizuna('email', 'dkim', '--rotate', '--workspace', workspace);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(txtOf(rotated.stdout, K1)).toBe(current);
    const pending = txtOf(rotated.stdout, K2);
    expect(pending).toMatch(/^v=DKIM1; k=rsa; p=/);
    expect(pending).not.toBe(current);
    expect(purposeOf(rotated.stdout, K2)).toMatch(/^; DKIM 新しい鍵.*then activate it/);
    expect(rotated.stdout).not.toMatch(/PRIVATE/);

    const activated = kizuna('email', 'dkim', '--activate', '--workspace', workspace);
    expect(activated.status, activated.stderr).toBe(0);
    expect(txtOf(activated.stdout, K2)).toBe(pending);
    expect(purposeOf(activated.stdout, K2)).toBe('; DKIM 署名の公開鍵 / DKIM public key');
    expect(txtOf(activated.stdout, K1)).toBe(current);
    expect(purposeOf(activated.stdout, K1)).toMatch(/can be removed after a few days/);

    const again = kizuna('email', 'dkim', '--activate', '--workspace', workspace);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^kizuna email: dkimPendingSelector: no pending DKIM key to activate/);

    const both = kizuna('email', 'dkim', '--activate', '--rotate', '--workspace', workspace);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--activate goes alone/);
  }, 120_000);
});
