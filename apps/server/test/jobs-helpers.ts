// Shared by the job-system tests: a logger whose lines the test can read, and waiting on a
// condition.
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../src/shared/logger.ts';

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { msg: string; level: number };

/** A debug-level logger (the production one, with its redaction) that keeps every line. */
export function capturingLogger(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines, text: () => raw.join('\n') };
}
