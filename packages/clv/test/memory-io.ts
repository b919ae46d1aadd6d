/** An in-memory `CliIo` for CLI tests: files to read, and what the command wrote and printed. */
import { readFileSync } from 'node:fs';
import type { CliIo } from '../src/cli.ts';

export function memoryIo(files: Record<string, string> = {}) {
  const written: Record<string, string> = {};
  let out = '';
  let err = '';
  const io: CliIo = {
    readFile: (p) => (p in files ? new TextEncoder().encode(files[p]) : readFileSync(p)),
    writeFile: (p, d) => {
      written[p] = d;
    },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  };
  return { io, written, out: () => out, err: () => err };
}
