import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where secrets shown once went: the terminal, or a file only the owner can read. */
export type ShownAt = { kind: 'stdout' } | { kind: 'tty' } | { kind: 'file'; path: string };

export interface ShowSecretsOptions {
  /** Used when there is no terminal; written with mode 0600. */
  fallbackFile: string;
}

function writeToControllingTerminal(text: string): boolean {
  let fd: number | undefined;
  try {
    // A process with no controlling terminal (a service, a container without -t) gets ENXIO.
    fd = openSync('/dev/tty', 'w');
    writeSync(fd, text);
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Shows secrets that exist once (a generated password, a new API key) to the person at the
 * terminal, and never into a log: when stdout is a terminal they are printed there; when stdout
 * is redirected (to a file, journald, `docker logs`) they go to the controlling terminal if there
 * is one, else to `fallbackFile` (mode 0600, in a directory only the owner can enter).
 *
 * @example
 * const at = showSecrets('  password: …\n', { fallbackFile: join(dataDir, 'first-login.txt') });
 * // at.kind === 'file' → tell the operator where the file is, not what it holds
 */
export function showSecrets(text: string, options: ShowSecretsOptions): ShownAt {
  if (process.stdout.isTTY) {
    process.stdout.write(text);
    return { kind: 'stdout' };
  }
  if (writeToControllingTerminal(text)) return { kind: 'tty' };
  mkdirSync(dirname(options.fallbackFile), { recursive: true, mode: 0o700 });
  writeFileSync(options.fallbackFile, text, { mode: 0o600 });
  // The mode above applies only when the file is created; an older one keeps its own.
  chmodSync(options.fallbackFile, 0o600);
  return { kind: 'file', path: options.fallbackFile };
}
