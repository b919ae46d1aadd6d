/**
 * Reading a file chunk by chunk into one reused buffer, handing the parser whole lines. Why: a
 * summary of a million customers is 12–25 MB, and reading it whole writes that much fresh memory
 * (on the benchmark machine ≈ 100 ms for 25 MB, nearly all of it page faults); a 256 KB buffer is
 * written once and stays in cache.
 */

/** A file read in chunks (the CLI's files), so the reader never holds the whole of it. */
export interface ByteSource {
  /** The file's size in bytes when opened. */
  size: number;
  /** Reads up to `length` bytes into `buf` at `offset`; 0 at the end of the file. */
  read: (buf: Uint8Array, offset: number, length: number) => number;
  /** Called once the reader is done with the file, also when it stops at an error. */
  close: () => void;
}

/** Bytes read per chunk. */
export const CHUNK = 1 << 18;

/** The reading buffer: whole lines for the parser, the rest carried to the next chunk. */
export class Chunks {
  buf: Uint8Array;
  filled: number;
  readonly size: number;
  private eof: boolean;
  private end = 0;
  private readonly input: Uint8Array | ByteSource;
  constructor(input: Uint8Array | ByteSource, chunkBytes: number) {
    this.input = input;
    if (input instanceof Uint8Array) {
      this.buf = input;
      this.filled = input.length;
      this.size = input.length;
      this.eof = true;
    } else {
      this.buf = new Uint8Array(Math.min(chunkBytes, Math.max(input.size, 64)));
      this.filled = 0;
      this.size = input.size;
      this.eof = false;
      this.more();
    }
  }
  /** Reads more after what the buffer holds (growing it when full); false at the end of the file. */
  more(): boolean {
    if (this.eof) return false;
    if (this.filled === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    const got = (this.input as ByteSource).read(this.buf, this.filled, this.buf.length - this.filled);
    if (got === 0) this.eof = true;
    this.filled += got;
    return got > 0;
  }
  /** The buffer up to the end of its last whole line (all of it at the end of the file). */
  wholeLines(): Uint8Array {
    for (;;) {
      const last = this.eof ? this.filled - 1 : this.buf.lastIndexOf(10, this.filled - 1);
      if (last >= 0 || this.eof) {
        this.end = last + 1;
        return this.buf.subarray(0, this.end);
      }
      this.more();
    }
  }
  /** Moves what is left after the whole lines to the front and reads on; false when nothing is left. */
  next(pos: number): boolean {
    if (this.eof && pos >= this.filled) return false;
    this.buf.copyWithin(0, this.end, this.filled);
    this.filled -= this.end;
    this.end = 0;
    this.more();
    return this.filled > 0;
  }
}
