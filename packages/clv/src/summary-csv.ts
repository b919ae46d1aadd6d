/**
 * Parse an RFM summary CSV (`frequency,recency,T[,monetary_value]`, lifetimes' column names, or
 * FHL's `x,t_x,T,zbar`) from bytes. Hand-written over the buffer: a million rows parse in tens of
 * milliseconds, where splitting strings per row would take most of a second. Every error names the
 * file, line and column.
 */
import { type IntColumns, newIntColumns, SEVENTHS_TOLERANCE } from './compress-int.ts';
import { ClvError } from './errors.ts';

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

export function parseSummaryCsv(
  bytes: Uint8Array,
  file: string,
  options: { keepIds?: boolean } = {},
): SummaryCsv {
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let headerEnd = bytes.indexOf(10, pos);
  if (headerEnd < 0) headerEnd = bytes.length;
  const header = new TextDecoder().decode(bytes.subarray(pos, headerEnd)).replace(/\r$/, '');
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
  const lines = Math.floor(Math.max(0, bytes.length - headerEnd) / (names.length + numeric)) + 1;
  const target: (Float64Array | undefined)[] = names.map(() => undefined);
  const out: Partial<Record<Field, Float64Array>> = {};
  for (const [f, i] of colOf) {
    if (f === 'id') continue;
    const arr = new Float64Array(lines);
    out[f] = arr;
    target[i] = arr;
  }
  const idCol = options.keepIds ? (colOf.get('id') ?? -1) : -1;
  const ids: string[] | undefined = idCol >= 0 ? [] : undefined;
  const ncol = names.length;
  const n = bytes.length;
  pos = headerEnd + 1;
  // Rows of plain numbers go through the fast loop; it stops at the first row it cannot take
  // (a blank line, text, an exponent, quotes) and the general loop below carries on from there.
  // Columns the fit does not read go to one scratch array in the fast loop, so that every column
  // there has a Float64Array (one element kind at the store; no test per field).
  const scratch = target.some((t) => t === undefined) ? new Float64Array(lines) : undefined;
  const ints = newIntColumns(lines, 1 << 16);
  const fast =
    idCol < 0 && ncol <= 16
      ? fastRows(
          bytes,
          pos,
          delimiter,
          target.map((t) => t ?? scratch!),
          lines,
          { x: out.x!, tx: out.tx!, T: out.T!, weight: out.weight ?? new Float64Array(0) },
          ints,
        )
      : undefined;
  let row = 0;
  if (fast) {
    row = fast.rows;
    pos = fast.pos;
    if (fast.bad >= 0) checkRow(out, fast.bad, fast.bad + 2, file, names, colOf);
  }
  let line = row + 1;
  while (pos < n) {
    line++;
    if (bytes[pos] === 10 || (bytes[pos] === 13 && bytes[pos + 1] === 10)) {
      pos += bytes[pos] === 13 ? 2 : 1;
      continue;
    }
    for (let c = 0; c < ncol; c++) {
      const start = pos;
      const arr = target[c];
      if (arr !== undefined) {
        // Fast path: [-]digits[.digits] as one integer over a power of ten. The division of two
        // exactly representable integers is correctly rounded, so the result equals Number(text).
        let i = pos;
        let neg = false;
        if (bytes[i] === 45) {
          neg = true;
          i++;
        }
        let m = 0;
        let digits = 0;
        let scale = 1;
        let ch = bytes[i]!;
        while (ch >= 48 && ch <= 57) {
          m = m * 10 + (ch - 48);
          digits++;
          ch = bytes[++i]!;
        }
        if (ch === 46) {
          ch = bytes[++i]!;
          while (ch >= 48 && ch <= 57) {
            m = m * 10 + (ch - 48);
            scale *= 10;
            digits++;
            ch = bytes[++i]!;
          }
        }
        let value: number;
        if (digits > 0 && digits <= 15 && (i >= n || ch === delimiter || ch === 10 || ch === 13)) {
          value = neg ? -m / scale : m / scale;
          pos = i;
        } else {
          while (pos < n && bytes[pos] !== delimiter && bytes[pos] !== 10 && bytes[pos] !== 13) pos++;
          const text = new TextDecoder().decode(bytes.subarray(start, pos)).trim();
          value = text === '' ? Number.NaN : Number(text);
          if (!Number.isFinite(value)) {
            throw new ClvError(
              'invalid_input',
              `${file} line ${line}, column ${c + 1} (${names[c]}): not a finite number: '${text}'`,
              {
                field: names[c]!,
                row: row,
              },
            );
          }
        }
        arr[row] = value;
      } else {
        while (pos < n && bytes[pos] !== delimiter && bytes[pos] !== 10 && bytes[pos] !== 13) pos++;
        if (c === idCol) ids!.push(new TextDecoder().decode(bytes.subarray(start, pos)));
      }
      if (c < ncol - 1) {
        if (bytes[pos] !== delimiter) {
          throw new ClvError(
            'invalid_input',
            `${file} line ${line}: ${c + 1} columns, the header has ${ncol}`,
            { row },
          );
        }
        pos++;
      }
    }
    if (pos < n && bytes[pos] === 13) pos++;
    if (pos < n && bytes[pos] !== 10) {
      throw new ClvError('invalid_input', `${file} line ${line}: more columns than the header's ${ncol}`, {
        row,
      });
    }
    pos++;
    checkRow(out, row, line, file, names, colOf);
    row++;
  }
  if (row === 0) throw new ClvError('too_few_customers', `${file}: no data rows`);
  const cut = (a: Float64Array | undefined) => (a ? a.subarray(0, row) : undefined);
  // The integer columns hold the fast loop's rows only, and only when all of them were on the grid.
  const intColumns =
    fast?.onGrid && fast.rows === row
      ? { ...ints, xi: ints.xi.subarray(0, row), ti: ints.ti.subarray(0, row), Ti: ints.Ti.subarray(0, row) }
      : undefined;
  return {
    x: cut(out.x)!,
    tx: cut(out.tx)!,
    T: cut(out.T)!,
    monetary: cut(out.monetary),
    weight: cut(out.weight),
    holdoutX: cut(out.holdoutX),
    holdoutDuration: cut(out.holdoutDuration),
    ids,
    intColumns,
  };
}

/**
 * The fast loop: each field is [-]digits[.digits] with at most 15 digits, parsed as one integer
 * over a power of ten (the division of two exactly representable integers is correctly rounded, so
 * the value equals Number(text)). Returns how many rows it took and where it stopped.
 */
function fastRows(
  bytes: Uint8Array,
  start: number,
  delimiter: number,
  target: Float64Array[],
  capacity: number,
  rfm: { x: Float64Array; tx: Float64Array; T: Float64Array; weight: Float64Array },
  ints: IntColumns,
): { rows: number; pos: number; bad: number; onGrid: boolean } {
  const n = bytes.length;
  const ncol = target.length;
  const { x, tx, T, weight } = rfm;
  const hasWeight = weight.length > 0;
  const { xi, ti, Ti, countX, rankt, rankT, heldt, heldT } = ints;
  const size = countX.length;
  let onGrid = true;
  let maxX = 0;
  let maxT = 0;
  let sumX = 0;
  let bad = -1;
  let pos = start;
  let row = 0;
  rows: while (pos < n && row < capacity) {
    let i = pos;
    for (let c = 0; c < ncol; c++) {
      let ch = bytes[i]!;
      const neg = ch === 45;
      if (neg) ch = bytes[++i]!;
      const digitsFrom = i;
      let m = 0;
      let d = ch - 48;
      while (d >= 0 && d <= 9) {
        m = m * 10 + d;
        d = bytes[++i]! - 48;
      }
      let digits = i - digitsFrom;
      let scale = 1;
      if (d === -2) {
        const fractionFrom = i + 1;
        d = bytes[++i]! - 48;
        while (d >= 0 && d <= 9) {
          m = m * 10 + d;
          scale *= 10;
          d = bytes[++i]! - 48;
        }
        digits += i - fractionFrom;
      }
      ch = d + 48;
      if (digits === 0 || digits > 15) break rows;
      if (c < ncol - 1) {
        if (ch !== delimiter) break rows;
      } else if (ch === 13) {
        if (bytes[i + 1] !== 10) break rows;
        i++;
      } else if (ch !== 10 && i < n) break rows;
      const v = scale === 1 ? m : m / scale;
      target[c]![row] = neg ? -v : v;
      i++;
    }
    // The row's checks (as `checkRow`), and while its values are at hand the integer
    // compression's first pass: x, and the slots of t_x and T on the grid of sevenths (see
    // compress-int.ts), into int columns, customers per x and per slot, and the value held in
    // each slot. A value off the grid, past the tables, or a second value in a slot ends the
    // integer work only.
    const a = x[row]!;
    const b = tx[row]!;
    const cT = T[row]!;
    if (!(a >= 0 && b >= 0 && cT >= 0 && b <= cT * (1 + 1e-12)) || (a === 0 && b !== 0)) {
      bad = row;
      break;
    }
    if (hasWeight && !(weight[row]! >= 0)) {
      bad = row;
      break;
    }
    if (onGrid) {
      const kt = Math.round(b * 7);
      const kT = Math.round(cT * 7);
      if (
        (a | 0) !== a ||
        a >= size ||
        kT >= size ||
        b > cT ||
        !(Math.abs(b * 7 - kt) <= SEVENTHS_TOLERANCE) ||
        !(Math.abs(cT * 7 - kT) <= SEVENTHS_TOLERANCE)
      ) {
        onGrid = false;
      } else {
        if (rankt[kt]!++ === 0) heldt[kt] = b;
        else if (heldt[kt] !== b) onGrid = false;
        if (rankT[kT]!++ === 0) heldT[kT] = cT;
        else if (heldT[kT] !== cT) onGrid = false;
        xi[row] = a;
        ti[row] = kt;
        Ti[row] = kT;
        countX[a]!++;
        if (a > maxX) maxX = a;
        if (kT > maxT) maxT = kT;
        sumX += a;
      }
    }
    pos = i;
    row++;
  }
  ints.maxX = maxX;
  ints.maxT = maxT;
  ints.sumX = sumX;
  return { rows: row, pos, bad, onGrid };
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
