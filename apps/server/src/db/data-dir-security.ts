// The embedded database's files hold every customer of the shop. PGlite writes most of them
// world-readable and world-writable (0666: 968 of 1,305 files of a fresh directory), so any
// local user could read the customers or alter the database (issue #19 item 6). Kizuna makes the
// directory the owner's alone before PGlite opens it, and tightens what PGlite wrote after.
import { chmodSync, type Dirent, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirOwnerError extends Error {
  constructor(path: string, owner: number, uid: number) {
    super(
      `${path} belongs to user ${owner}, but Kizuna runs as user ${uid}: the embedded database must be ` +
        `its user's alone. Run Kizuna as user ${owner}, or give the directory to this user ` +
        `(chown -R ${uid} ${path}).`,
    );
    this.name = 'DataDirOwnerError';
  }
}

function currentUid(): number | undefined {
  // No uids on Windows: there the directory's ACL is the operator's business.
  return process.getuid?.();
}

/**
 * Creates the data directory (mode 0700) or checks an existing one: it must belong to the user
 * Kizuna runs as (else DataDirOwnerError, before anything is written into it) and is made 0700.
 * Also sets the process's umask to 077, so every file Kizuna or PGlite creates from now on
 * (relations, WAL segments, the lock, CSV reject files) is the owner's only.
 */
export function prepareDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stat = statSync(dataDir);
  const uid = currentUid();
  if (uid !== undefined && stat.uid !== uid) throw new DataDirOwnerError(dataDir, stat.uid, uid);
  if ((stat.mode & 0o077) !== 0) chmodSync(dataDir, stat.mode & 0o700);
  try {
    process.umask(process.umask(0o077) | 0o077);
  } catch {
    // Worker threads cannot change the umask; tightenDataDir still fixes the files at open.
  }
}

/**
 * Removes group and other permissions from everything under `dataDir` (directories 0700, files
 * 0600 when they were 0666 or 0644), without following symbolic links. Returns how many entries
 * it changed. A file of another user stops it with DataDirOwnerError.
 */
export function tightenDataDir(dataDir: string): number {
  const uid = currentUid();
  let changed = 0;
  const visit = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      // A file PGlite removed between listing and visiting is no longer anyone's to read.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isSymbolicLink()) continue;
      const path = join(dir, entry.name);
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (uid !== undefined && stat.uid !== uid) throw new DataDirOwnerError(path, stat.uid, uid);
      if ((stat.mode & 0o077) !== 0) {
        chmodSync(path, stat.mode & 0o700);
        changed++;
      }
      if (entry.isDirectory()) visit(path);
    }
  };
  visit(dataDir);
  return changed;
}
