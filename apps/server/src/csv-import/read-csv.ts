// Streams the records of a CSV file with the physical line each starts on. The file is read in
// chunks and decoded with a streaming TextDecoder, so memory stays flat whatever the file size.
import { createReadStream, statSync } from 'node:fs';
import { type Parser, parse } from 'csv-parse';

/** Encodings the importer reads. Shift_JIS is what Excel writes on Japanese Windows. */
export type CsvEncoding = 'utf-8' | 'shift_jis';

export const CSV_ENCODINGS: readonly CsvEncoding[] = ['utf-8', 'shift_jis'];

/** One CSV record. `line` is the 1-based physical line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that cannot be read as CSV at all: bad bytes or broken quoting. Reported, not thrown past the CLI. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

export interface ReadCsvOptions {
  encoding?: CsvEncoding;
  /** Called with the bytes read so far (of `fileSize(file)`), as chunks arrive. */
  onBytes?: (bytesRead: number) => void;
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

/** Line breaks inside the fields of a record: a CRLF counts once, like a lone LF or CR. */
function lineBreaks(fields: string[]): number {
  let breaks = 0;
  for (const field of fields) {
    if (!field.includes('\n') && !field.includes('\r')) continue;
    breaks += field.replace(/\r\n/g, '\n').replace(/[^\n\r]/g, '').length;
  }
  return breaks;
}

/**
 * Yields the records of `file`, the header first, each with the line it starts on. Blank lines
 * are skipped (but counted). A UTF-8 byte order mark and CRLF line ends are handled.
 * Throws CsvSyntaxError for bytes invalid in the encoding, or an unclosed quote.
 *
 * Line numbers are counted here rather than taken from csv-parse's `info.lines`, which counts a
 * CRLF inside a quoted field as two lines: every physical line break is either a record
 * delimiter or inside a quoted field, so the next record starts 1 + (breaks inside) lines later.
 */
export async function* readCsv(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord> {
  const encoding = options.encoding ?? 'utf-8';
  const decoder = new TextDecoder(encoding, { fatal: true });
  const parser = parse({ relax_column_count: true, bom: true, skip_empty_lines: false });
  let decodedLines = 1;
  let bytesRead = 0;
  const feed = (async () => {
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        bytesRead += (chunk as Buffer).length;
        let text: string;
        try {
          text = decoder.decode(chunk as Buffer, { stream: true });
        } catch {
          throw new CsvSyntaxError(decodedLines, undecodable(encoding));
        }
        decodedLines += countNewlines(text);
        if (parser.destroyed) return;
        // Back-pressure: wait for the parser to drain (or for the reader to stop early).
        if (!parser.write(text))
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done);
              parser.off('close', done);
              resolve();
            };
            parser.on('drain', done);
            parser.on('close', done);
          });
        options.onBytes?.(bytesRead);
      }
      try {
        const rest = decoder.decode();
        if (rest) parser.write(rest);
      } catch {
        throw new CsvSyntaxError(decodedLines, undecodable(encoding));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  const records = queueRecords(parser);
  let line = 1;
  try {
    for (let fields = await records.next(); fields; fields = await records.next()) {
      const start = line;
      line += 1 + lineBreaks(fields);
      if (fields.length === 1 && fields[0] === '') continue;
      yield { line: start, fields };
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw error;
    const e = error as Error & { code?: string };
    if (e.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new CsvSyntaxError(line, 'a quoted field is not closed before the end of the file');
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) throw new CsvSyntaxError(line, e.message);
    throw error;
  } finally {
    parser.destroy();
    await feed;
  }
}

/** Records queued before the parser pauses (the reader catches up before it resumes). */
const QUEUE_HIGH = 1024;

/**
 * The parser's records in order, then its error, if any. A stream's own async iterator throws
 * an error as soon as it happens and drops the records parsed before it, so a consumer slower
 * than the parser (one that writes to the database between reads) would report an unclosed
 * quote at an earlier line than the one it starts on.
 */
function queueRecords(parser: Parser): { next: () => Promise<string[] | undefined> } {
  const queue: string[][] = [];
  let head = 0;
  let failure: { error: unknown } | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  parser.on('data', (fields: string[]) => {
    queue.push(fields);
    if (queue.length - head >= QUEUE_HIGH) parser.pause();
    notify();
  });
  parser.on('error', (error: unknown) => {
    failure = { error };
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  return {
    next: async () => {
      for (;;) {
        if (head < queue.length) {
          const fields = queue[head++]!;
          if (head === queue.length) queue.length = head = 0;
          if (parser.isPaused() && queue.length - head < QUEUE_HIGH / 4) parser.resume();
          return fields;
        }
        if (failure) throw failure.error;
        if (ended) return undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function undecodable(encoding: CsvEncoding): string {
  return encoding === 'utf-8'
    ? 'bytes that are not valid UTF-8 (at or after this line). Files saved by Excel in Japan are often Shift_JIS: try --encoding shift_jis'
    : 'bytes that are not valid Shift_JIS (at or after this line). Is the file UTF-8? Then omit --encoding';
}
