// Issue #19 item 6: PGlite wrote 968 of a fresh data directory's 1,305 files world-writable.
// The embedded database's directory and files are its owner's only now.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirOwnerError } from '../src/db/data-dir-security.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';

const root = mkdtempSync(join(tmpdir(), 'kizuna-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir` with its permission bits, the directory itself first. */
function modes(dir: string): { path: string; mode: number; directory: boolean }[] {
  const out = [{ path: dir, mode: statSync(dir).mode & 0o777, directory: true }];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, mode: statSync(path).mode & 0o777, directory: entry.isDirectory() });
  }
  return out;
}

function looseOnes(dir: string): string[] {
  return modes(dir)
    .filter((m) => (m.mode & 0o077) !== 0)
    .map((m) => `${m.mode.toString(8)} ${m.path}`);
}

describe('the embedded database directory', () => {
  const dataDir = join(root, 'fresh');

  it('after a first open and migration, every directory is 0700 and every file 0600', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await migrate(database);
    await database.close();
    const all = modes(dataDir);
    expect(all.length).toBeGreaterThan(1000);
    expect(looseOnes(dataDir)).toEqual([]);
    expect(all.filter((m) => m.directory).every((m) => m.mode === 0o700)).toBe(true);
    expect(all.filter((m) => !m.directory).every((m) => m.mode === 0o600)).toBe(true);
  });

  it('files PGlite creates while running (a new table, WAL) are private too', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir });
    const before = new Set(modes(dataDir).map((m) => m.path));
    await sql`create table private_check (id int primary key, note text)`.execute(database.db);
    await sql`insert into private_check select g, repeat('x', 500) from generate_series(1, 20000) g`.execute(
      database.db,
    );
    await sql`checkpoint`.execute(database.db);
    const created = modes(dataDir).filter((m) => !before.has(m.path));
    await database.close();
    expect(created.length).toBeGreaterThan(0);
    expect(created.filter((m) => (m.mode & 0o077) !== 0)).toEqual([]);
  });

  it('an existing directory left open to everyone (an older Kizuna) is tightened at open', async () => {
    for (const m of modes(dataDir)) chmodSync(m.path, m.directory ? 0o777 : 0o666);
    expect(looseOnes(dataDir).length).toBeGreaterThan(1000);
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await database.close();
    expect(looseOnes(dataDir)).toEqual([]);
  });

  it('a directory of another user is refused before anything is written into it', async () => {
    const uid = process.getuid!();
    // As root, make one that belongs to "nobody"; otherwise / belongs to root, not to us.
    const foreign = uid === 0 ? join(root, 'foreign') : '/';
    if (uid === 0) {
      mkdirSync(foreign);
      chownSync(foreign, 65534, 65534);
    }
    const before = readdirSync(foreign);
    await expect(openDatabase({ kind: 'pglite', dataDir: foreign })).rejects.toThrow(DataDirOwnerError);
    expect(readdirSync(foreign)).toEqual(before);
  });
});
