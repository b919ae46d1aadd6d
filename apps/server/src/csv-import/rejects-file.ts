// The rejects file of `--skip-invalid`: each rejected row as it was read, plus a `reason` column.
// UTF-8 with a byte order mark, so that Excel in Japan opens it with the right encoding.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

export class RejectsFile {
  readonly path: string;
  readonly #header: string[];
  #out: WriteStream | undefined;
  rows = 0;

  constructor(path: string, header: string[]) {
    this.path = path;
    this.#header = header;
  }

  /** Appends a row; the file is created with the first one, so a clean import leaves no file. */
  async write(fields: string[], reason: string): Promise<void> {
    if (!this.#out) {
      this.#out = createWriteStream(this.path);
      this.#out.write(`\ufeff${stringify([[...this.#header, 'reason']])}`);
    }
    const padded = this.#header.map((_, i) => fields[i] ?? '');
    // Cells beyond the header (a misaligned row) are kept too, before the reason.
    const extra = fields.slice(this.#header.length);
    this.rows++;
    if (!this.#out.write(stringify([[...padded, ...extra, reason]]))) await once(this.#out, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#out) return;
    this.#out.end();
    await once(this.#out, 'finish');
  }
}
