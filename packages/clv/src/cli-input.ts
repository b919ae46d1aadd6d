/** Reading the CLI's input: a summary CSV or a transaction log, with holdout actuals when present. */
import { oneOf } from './cli-args.ts';
import { ClvError } from './errors.ts';
import type { RfmSummary, TimeUnit } from './summary.ts';
import { type ByteSource, parseSummaryCsv } from './summary-csv.ts';
import { summariseTransactions } from './transactions.ts';
import { formatDay, parseDay, parseTransactionsCsv } from './transactions-csv.ts';

export interface CliInput {
  summary: RfmSummary;
  unit: TimeUnit | undefined;
  ids: string[] | undefined;
  /** Holdout actuals and the holdout length per customer, in the summary's unit. */
  holdout: { x: Float64Array; duration: Float64Array } | undefined;
  source: string;
  calibrationEnd: string | undefined;
  holdoutEnd: string | undefined;
}

const UNITS = ['day', 'week'] as const;

export function loadInput(
  flags: Map<string, string>,
  readFile: (p: string) => Uint8Array,
  needUnit: boolean,
  openFile?: (p: string) => ByteSource,
): CliInput {
  const summaryFile = flags.get('summary');
  const txFile = flags.get('transactions');
  if ((summaryFile === undefined) === (txFile === undefined)) {
    throw new ClvError('invalid_input', 'give exactly one of --summary FILE or --transactions FILE');
  }
  if (summaryFile !== undefined) {
    const unit = flags.has('unit') || needUnit ? oneOf(flags, 'unit', UNITS) : undefined;
    const source = openFile ? openFile(summaryFile) : readFile(summaryFile);
    const csv = parseSummaryCsv(source, summaryFile, { keepIds: needUnit });
    // The reader's own object: its x, t_x and T are made only when read (a fit does not read them).
    const summary: RfmSummary = csv;
    const holdout =
      csv.holdoutX && csv.holdoutDuration ? { x: csv.holdoutX, duration: csv.holdoutDuration } : undefined;
    return {
      summary,
      unit,
      ids: csv.ids,
      holdout,
      source: summaryFile,
      calibrationEnd: undefined,
      holdoutEnd: undefined,
    };
  }
  const file = txFile!;
  const unit = oneOf(flags, 'unit', UNITS, 'day');
  const log = parseTransactionsCsv(new TextDecoder().decode(readFile(file)), file, {
    customer: flags.get('customer-col'),
    date: flags.get('date-col'),
    amount: flags.get('amount-col'),
    noHeader: flags.has('no-header'),
  });
  const dateFlag = (name: string) => {
    const text = flags.get(name);
    if (text === undefined) return undefined;
    const d = parseDay(text);
    if (d === undefined)
      throw new ClvError('invalid_input', `--${name}: not a date (YYYY-MM-DD): '${text}'`, { field: name });
    return d;
  };
  const calibrationEnd = dateFlag('calibration-end') ?? log.day.reduce((a, b) => Math.max(a, b), -Infinity);
  const holdoutEnd = dateFlag('holdout-end');
  const s = summariseTransactions(log, { calibrationEnd, holdoutEnd, unit });
  const holdout = s.holdout
    ? { x: s.holdout.x, duration: new Float64Array(s.x.length).fill(s.holdout.duration) }
    : undefined;
  return {
    summary: s,
    unit,
    ids: Array.from(s.customer, (c) => log.ids[c]!),
    holdout,
    source: file,
    calibrationEnd: formatDay(calibrationEnd),
    holdoutEnd: holdoutEnd === undefined ? undefined : formatDay(holdoutEnd),
  };
}
