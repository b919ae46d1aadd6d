/**
 * Parse an RFM summary CSV (`frequency,recency,T[,monetary_value]`, lifetimes' column names, or
 * FHL's `x,t_x,T,zbar`) from bytes. Hand-written over the buffer: a million rows parse in tens of
 * milliseconds, where splitting strings per row would take most of a second. Every error names the
 * file, line and column.
 */

import { type ByteSource, CHUNK, Chunks } from './byte-chunks.ts';
import { type IntColumns, newIntColumns } from './compress-int.ts';
import { ClvError } from './errors.ts';
import {
  type FastRowState,
  fastRows,
  generalRow,
  materialise,
  materialiseCents,
  type RowContext,
} from './summary-csv-rows.ts';

export interface SummaryCsv {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  monetary: Float64Array | undefined;
  weight: Float64Array | undefined;
  holdoutX: Float64Array | undefined;
  holdoutDuration: Float64Array | undefined;
  /** The id column's text per row, when asked for and present. */
  ids: string[] | undefined;
  /**
   * x and the slots of t_x and T as integer columns with their counts, made while parsing when x
   * is whole and t_x and T are whole days, written in days or in weeks (below 2^16 sevenths of
   * their unit): the integer compression's first pass, done here while the values are at hand
   * (see compress-int.ts). Undefined otherwise.
   */
  intColumns: IntColumns | undefined;
  /** The monetary column in whole cents, when every value is one (see RfmSummary). */
  monetaryCents: Int32Array | undefined;
}

const ALIASES: Record<string, string[]> = {
  x: ['frequency', 'x'],
  tx: ['recency', 't_x'],
  T: ['T', 'age', 'periods', 'n'],
  monetary: ['monetary_value', 'monetary', 'zbar', 'm'],
  weight: ['weights', 'weight', 'count'],
  holdoutX: ['frequency_holdout'],
  holdoutDuration: ['duration_holdout'],
  id: ['ID', 'id', 'customer_id', 'customer'],
};

type Field = keyof typeof ALIASES;
const FIELDS = Object.keys(ALIASES) as Field[];

/**
 * Parses a summary CSV from its bytes, or from a `ByteSource` chunk by chunk. Every error names
 * the file, line and column.
 */
export function parseSummaryCsv(
  input: Uint8Array | ByteSource,
  file: string,
  options: { keepIds?: boolean; chunkBytes?: number } = {},
): SummaryCsv {
  try {
    return parseChunks(input, file, options);
  } finally {
    if (!(input instanceof Uint8Array)) input.close();
  }
}

function parseChunks(
  input: Uint8Array | ByteSource,
  file: string,
  options: { keepIds?: boolean; chunkBytes?: number },
): SummaryCsv {
  const chunks = new Chunks(input, options.chunkBytes ?? CHUNK);
  // The header: the first line (the buffer grows until it holds it).
  let more = true;
  while (more && chunks.buf.subarray(0, chunks.filled).indexOf(10) < 0) more = chunks.more();
  const bytes0 = chunks.buf.subarray(0, chunks.filled);
  let pos = bytes0[0] === 0xef && bytes0[1] === 0xbb && bytes0[2] === 0xbf ? 3 : 0;
  let headerEnd = bytes0.indexOf(10, pos);
  if (headerEnd < 0) headerEnd = bytes0.length;
  const header = new TextDecoder().decode(bytes0.subarray(pos, headerEnd)).replace(/\r$/, '');
  const delimiter = header.includes(',') ? 44 : header.includes('\t') ? 9 : 44;
  const names = header.split(String.fromCharCode(delimiter)).map((s) => s.trim().replace(/^"|"$/g, ''));
  const colOf = new Map<Field, number>();
  for (const f of FIELDS) {
    const i = names.findIndex((n) => ALIASES[f]!.includes(n));
    if (i >= 0) colOf.set(f, i);
  }
  for (const f of ['x', 'tx', 'T'] as const) {
    if (!colOf.has(f)) {
      throw new ClvError(
        'invalid_input',
        `${file} line 1: no ${ALIASES[f]!.join('/')} column (header: ${names.join(',')})`,
        { field: f },
      );
    }
  }
  // Capacity without a pass over the file: every data row has at least one byte per numeric
  // column read plus ncol delimiters and line end, so it cannot hold more rows than this. Pages
  // of the arrays past the last row are never touched, so they cost no memory.
  let numeric = 0;
  for (const f of colOf.keys()) if (f !== 'id') numeric++;
  const lines = Math.floor(Math.max(0, chunks.size - headerEnd) / (names.length + numeric)) + 1;
  const target: (Float64Array | undefined)[] = names.map(() => undefined);
  const out: Partial<Record<Field, Float64Array>> = {};
  // x, t_x and T as doubles only once needed (`allocate`): while the data is on the grid they go
  // to the integer columns alone, and even unwritten, large typed arrays make V8 collect garbage
  // for "external memory pressure".
  const rfm = new Set<Field>(['x', 'tx', 'T']);
  for (const [f, i] of colOf) {
    if (f === 'id') continue;
    const arr = new Float64Array(rfm.has(f) || f === 'monetary' ? 0 : lines);
    out[f] = arr;
    target[i] = arr;
  }
  const idCol = options.keepIds ? (colOf.get('id') ?? -1) : -1;
  const ctx: RowContext = { file, names, target, idCol, ids: idCol >= 0 ? [] : undefined };
  const others = [...colOf].filter(([f]) => f !== 'id' && f !== 'monetary' && !rfm.has(f));
  const cm = colOf.get('monetary') ?? -1;
  const st: FastRowState = {
    delimiter,
    cx: colOf.get('x')!,
    ct: colOf.get('tx')!,
    cT: colOf.get('T')!,
    otherCols: Int32Array.from(others, ([, i]) => i),
    otherArrays: others.map(([f]) => out[f]!),
    x: out.x!,
    tx: out.tx!,
    T: out.T!,
    allocate: () => {
      if (st.x.length > 0) return;
      for (const f of rfm) {
        const arr = new Float64Array(lines);
        out[f] = arr;
        target[colOf.get(f)!] = arr;
        st[f as 'x' | 'tx' | 'T'] = arr;
      }
    },
    cm,
    cents: new Int32Array(cm >= 0 ? lines : 0),
    centsOk: cm >= 0,
    monetary: out.monetary ?? new Float64Array(0),
    allocateMonetary: () => {
      if (cm < 0 || st.monetary.length > 0) return;
      const arr = new Float64Array(lines);
      out.monetary = arr;
      target[cm] = arr;
      st.monetary = arr;
    },
    weight: out.weight,
    capacity: lines,
    ints: newIntColumns(lines, 1 << 16),
    values: new Float64Array(names.length),
    // Rows of plain numbers go through the fast loop; it stops at the first row it cannot take
    // (a blank line, text, an exponent, quotes) and the general loop carries on from there.
    onGrid: idCol < 0 && names.length <= 16,
  };
  let fast = st.onGrid;
  if (!fast) {
    st.allocate();
    st.allocateMonetary();
    st.centsOk = false;
  }
  let primed = false;
  let row = 0;
  let line = 1;
  pos = headerEnd + 1;
  for (;;) {
    const bytes = chunks.wholeLines();
    if (fast && !primed) {
      // The first call takes one line only: V8 then has feedback for the code after the loop
      // before it compiles the loop on-stack for the next call, and that code does not bail out
      // at the loop's end (it did at the end of every chunk, and each chunk then began in the
      // interpreter again).
      primed = true;
      const first = bytes.indexOf(10, pos) + 1;
      if (first > pos) {
        const r = fastRows(bytes.subarray(0, first), pos, row, st);
        if (r.bad < 0 && r.pos === first) {
          line += r.row - row;
          row = r.row;
          pos = r.pos;
        }
      }
    }
    if (fast) {
      const r = fastRows(bytes, pos, row, st);
      line += r.row - row;
      row = r.row;
      pos = r.pos;
      if (r.bad >= 0) checkRow(out, r.bad, r.bad + 2, file, names, colOf);
      if (pos < bytes.length) {
        // The general loop takes the rest of the file: the rows so far need their doubles.
        fast = false;
        st.allocate();
        if (st.onGrid) materialise(st.ints, out.x!, out.tx!, out.T!, row);
        if (st.centsOk) {
          st.allocateMonetary();
          materialiseCents(st.cents, st.monetary, row);
          st.centsOk = false;
        }
        st.onGrid = false;
      }
    }
    while (pos < bytes.length) {
      line++;
      if (bytes[pos] === 10 || (bytes[pos] === 13 && bytes[pos + 1] === 10)) {
        pos += bytes[pos] === 13 ? 2 : 1;
        continue;
      }
      if (row >= lines) throw new ClvError('invalid_input', `${file} changed while it was being read`);
      pos = generalRow(bytes, pos, row, line, delimiter, ctx);
      checkRow(out, row, line, file, names, colOf);
      row++;
    }
    if (!chunks.next(pos)) break;
    pos = 0;
  }
  if (row === 0) throw new ClvError('too_few_customers', `${file}: no data rows`);
  const cut = (a: Float64Array | undefined) => (a ? a.subarray(0, row) : undefined);
  const result: SummaryCsv = {
    x: cut(out.x)!,
    tx: cut(out.tx)!,
    T: cut(out.T)!,
    monetary: cut(out.monetary),
    weight: cut(out.weight),
    holdoutX: cut(out.holdoutX),
    holdoutDuration: cut(out.holdoutDuration),
    ids: ctx.ids,
    intColumns: undefined,
    monetaryCents: undefined,
  };
  if (st.centsOk) {
    // The monetary column as doubles only when read (Gamma-Gamma's fit reads the cents).
    const cents = st.cents.subarray(0, row);
    result.monetaryCents = cents;
    Object.defineProperty(result, 'monetary', {
      enumerable: true,
      get: () => {
        if (st.monetary.length === 0) {
          st.allocateMonetary();
          materialiseCents(cents, st.monetary, row);
        }
        return st.monetary.subarray(0, row);
      },
    });
  }
  if (st.onGrid) {
    const ints = st.ints;
    result.intColumns = {
      ...ints,
      xi: ints.xi.subarray(0, row),
      ti: ints.ti.subarray(0, row),
      Ti: ints.Ti.subarray(0, row),
    };
    // x, t_x and T as doubles only when asked for (a fit on the integer columns never does).
    let made = false;
    const make = () => {
      if (!made) {
        st.allocate();
        materialise(ints, out.x!, out.tx!, out.T!, row);
      }
      made = true;
    };
    for (const key of ['x', 'tx', 'T'] as const) {
      Object.defineProperty(result, key, {
        enumerable: true,
        get: () => {
          make();
          return out[key]!.subarray(0, row);
        },
      });
    }
  }
  return result;
}

/** The model checks again, but here the message can name the line and the file's own column name. */
function checkRow(
  out: Partial<Record<Field, Float64Array>>,
  row: number,
  line: number,
  file: string,
  names: string[],
  colOf: Map<Field, number>,
): void {
  const fail = (f: Field, why: string) => {
    throw new ClvError(
      'invalid_input',
      `${file} line ${line}, column ${colOf.get(f)! + 1} (${names[colOf.get(f)!]}): ${why}`,
      {
        field: names[colOf.get(f)!]!,
        row,
      },
    );
  };
  const x = out.x![row]!;
  const tx = out.tx![row]!;
  const T = out.T![row]!;
  if (x < 0) fail('x', `negative (${x})`);
  if (tx < 0) fail('tx', `negative (${tx})`);
  if (T < 0) fail('T', `negative (${T})`);
  if (tx > T * (1 + 1e-12)) fail('tx', `${tx} is later than T (${T})`);
  if (x === 0 && tx !== 0) fail('tx', `must be 0 when there are no repeat purchases (got ${tx})`);
  if (out.weight && !(out.weight[row]! >= 0)) fail('weight', `negative (${out.weight[row]})`);
}

export type { ByteSource } from './byte-chunks.ts';
