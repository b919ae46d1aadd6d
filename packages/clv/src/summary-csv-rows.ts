/**
 * The summary CSV reader's rows. The fast loop: rows of plain numbers, and while their values are at hand
 * the integer compression's first pass (see compress-int.ts). It stores nothing per row but
 * numbers into typed arrays, and while the data is on the grid not even x, t_x and T as doubles:
 * they go to small integer columns only, and the double columns are made from those when someone
 * asks for them (`materialise`). Why: on the machines Kizuna's benchmark runs on, the first write
 * to a fresh page costs ≈ 11 µs, so every 8 MB column written is ≈ 22 ms (see bench/clv/HISTORY.md).
 */
import { type IntColumns, SEVENTHS_TOLERANCE } from './compress-int.ts';
import { ClvError } from './errors.ts';

/** Where each field of a row goes, and what the fast loop carries from one chunk to the next. */
export interface FastRowState {
  delimiter: number;
  /** Column numbers of x, t_x and T. */
  cx: number;
  ct: number;
  cT: number;
  /** The other numeric columns read (monetary, weight, holdout) and their arrays. */
  otherCols: Int32Array;
  otherArrays: Float64Array[];
  /**
   * x, t_x and T as doubles: written only once the data is off the grid (or for a bad row), and
   * empty until `allocate` makes them.
   */
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  allocate: () => void;
  /**
   * The monetary column (−1 when none): as whole cents in `cents` while every value is one (the
   * double is then cents / 100 exactly: 4 bytes per customer, not 8, and Gamma-Gamma groups by
   * them as they are); else as doubles in `monetary`, made by `allocateMonetary`.
   */
  cm: number;
  cents: Int32Array;
  centsOk: boolean;
  monetary: Float64Array;
  allocateMonetary: () => void;
  weight: Float64Array | undefined;
  capacity: number;
  ints: IntColumns;
  /** One row's fields. */
  values: Float64Array;
  onGrid: boolean;
}

/**
 * Rows from `start` to the end of `bytes` (which ends with a whole line), numbered from `row`: each
 * field [-]digits[.digits] with at most 15 digits, parsed as one integer over a power of ten (the
 * division of two exactly representable integers is correctly rounded, so the value equals
 * Number(text)). Stops at the first row it cannot take (text, an exponent, a blank line) or that
 * fails the row checks (`bad`, its x, t_x and T written to the double columns so the caller can
 * name it). Returns the next row number and where it stopped.
 */
export function fastRows(
  bytes: Uint8Array,
  start: number,
  row: number,
  st: FastRowState,
): { row: number; pos: number; bad: number } {
  const n = bytes.length;
  const { delimiter, cx, ct, cT, otherCols, otherArrays, values, capacity, weight, ints } = st;
  const ncol = values.length;
  const nOther = otherCols.length;
  const { xi, ti, Ti, countX, rankt, rankT, heldt, heldT } = ints;
  const size = countX.length;
  const hasWeight = weight !== undefined;
  const { cm, cents } = st;
  let centsOk = st.centsOk;
  let onGrid = st.onGrid;
  let maxX = ints.maxX;
  let maxT = ints.maxT;
  let sumX = ints.sumX;
  let bad = -1;
  let pos = start;
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
      values[c] = neg ? -v : v;
      i++;
    }
    for (let k = 0; k < nOther; k++) otherArrays[k]![row] = values[otherCols[k]!]!;
    if (cm >= 0) {
      const v = values[cm]!;
      if (centsOk) {
        const cv = Math.round(v * 100);
        if (cv / 100 === v && cv < 2147483648 && cv >= -2147483648) cents[row] = cv;
        else {
          centsOk = false;
          st.allocateMonetary();
          materialiseCents(cents, st.monetary, row);
        }
      }
      if (!centsOk) st.monetary[row] = v;
    }
    const a = values[cx]!;
    const b = values[ct]!;
    const c = values[cT]!;
    // The row's checks (as `checkRow` in summary-csv.ts).
    if (!(a >= 0 && b >= 0 && c >= 0 && b <= c * (1 + 1e-12)) || (a === 0 && b !== 0)) bad = row;
    else if (hasWeight && !(weight[row]! >= 0)) bad = row;
    if (bad >= 0) {
      st.allocate();
      st.x[row] = a;
      st.tx[row] = b;
      st.T[row] = c;
      break;
    }
    if (onGrid) {
      // x whole; t_x and T within rounding of a slot on the grid of sevenths, each slot holding
      // one value. Anything else ends the integer work, and the rows so far get their doubles.
      const kt = Math.round(b * 7);
      const kT = Math.round(c * 7);
      let fits =
        (a | 0) === a &&
        a < size &&
        kT < size &&
        b <= c &&
        Math.abs(b * 7 - kt) <= SEVENTHS_TOLERANCE &&
        Math.abs(c * 7 - kT) <= SEVENTHS_TOLERANCE;
      if (fits) {
        if (rankt[kt]!++ === 0) heldt[kt] = b;
        else if (heldt[kt] !== b) fits = false;
        if (rankT[kT]!++ === 0) heldT[kT] = c;
        else if (heldT[kT] !== c) fits = false;
      }
      if (fits) {
        xi[row] = a;
        ti[row] = kt;
        Ti[row] = kT;
        countX[a]!++;
        if (a > maxX) maxX = a;
        if (kT > maxT) maxT = kT;
        sumX += a;
      } else {
        onGrid = false;
        st.allocate();
        materialise(ints, st.x, st.tx, st.T, row);
      }
    }
    if (!onGrid) {
      st.x[row] = a;
      st.tx[row] = b;
      st.T[row] = c;
    }
    pos = i;
    row++;
  }
  st.onGrid = onGrid;
  st.centsOk = centsOk;
  ints.maxX = maxX;
  ints.maxT = maxT;
  ints.sumX = sumX;
  return { row, pos, bad };
}

/** x, t_x and T as doubles for rows 0 … rows − 1 from the integer columns: the file's own values. */
export function materialise(
  ints: IntColumns,
  x: Float64Array,
  tx: Float64Array,
  T: Float64Array,
  rows: number,
): void {
  const { xi, ti, Ti, heldt, heldT } = ints;
  for (let i = 0; i < rows; i++) {
    x[i] = xi[i]!;
    tx[i] = heldt[ti[i]!]!;
    T[i] = heldT[Ti[i]!]!;
  }
}

/** The monetary column as doubles for rows 0 … rows − 1 from whole cents (cents / 100: the file's own values). */
export function materialiseCents(cents: Int32Array, monetary: Float64Array, rows: number): void {
  for (let i = 0; i < rows; i++) monetary[i] = cents[i]! / 100;
}

/** What the general loop needs to know to store a row and name its errors. */
export interface RowContext {
  file: string;
  names: string[];
  target: (Float64Array | undefined)[];
  idCol: number;
  ids: string[] | undefined;
}

/** One row the fast loop did not take, from `pos` (the start of a non-blank line); returns where the next line starts. */
export function generalRow(
  bytes: Uint8Array,
  pos: number,
  row: number,
  line: number,
  delimiter: number,
  ctx: RowContext,
): number {
  const n = bytes.length;
  const { file, names, target, idCol, ids } = ctx;
  const ncol = names.length;
  for (let c = 0; c < ncol; c++) {
    const start = pos;
    const arr = target[c];
    if (arr !== undefined) {
      // [-]digits[.digits] as one integer over a power of ten (see `fastRows`), else Number(text).
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
            { field: names[c]!, row },
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
          {
            row,
          },
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
  return pos + 1;
}
