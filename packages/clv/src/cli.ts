/**
 * `kizuna clv fit|predict|report`. This file does the file I/O and maps error codes to exit
 * statuses; everything numerical lives in the model modules.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { parseArgs, positiveNumber, reportLang, USAGE, UsageError } from './cli-args.ts';
import { fitJson, fitModel, fitText, modelList } from './cli-fit.ts';
import { type CliInput, loadInput } from './cli-input.ts';
import { assertUnreachable, ClvError, type ClvErrorCode } from './errors.ts';
import type { ByteSource } from './summary-csv.ts';

export { fitJson } from './cli-fit.ts';

export interface CliIo {
  readFile: (path: string) => Uint8Array;
  /** A summary file chunk by chunk, when the I/O can (the process's own files). */
  openFile?: (path: string) => ByteSource;
  writeFile: (path: string, data: string) => void;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A missing or unreadable file is the user's to fix: say which and why, without a stack. */
function unreadable(path: string, e: unknown): ClvError {
  const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
  return new ClvError('invalid_input', `cannot read ${path}: ${why}`, { field: 'file' });
}

const processIo: CliIo = {
  readFile: (path) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw unreadable(path, e);
    }
  },
  // Chunk by chunk into one reused buffer: reading a 25 MB file whole took ≈ 100 ms on the
  // benchmark machine, most of it the first writes to 25 MB of fresh pages.
  openFile: (path) => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw unreadable(path, e);
    }
    const size = fstatSync(fd).size;
    return {
      size,
      read: (buf, offset, length) => {
        try {
          return readSync(fd, buf, offset, length, null);
        } catch (e) {
          throw unreadable(path, e);
        }
      },
      close: () => closeSync(fd),
    };
  },
  writeFile: (path, data) => writeFileSync(path, data),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `kizuna clv …` entry point. Returns the process exit code. */
export async function runClvCli(argv: string[]): Promise<number> {
  // Each hot loop of a fit runs in one call per process, so it runs in V8's interpreter until its
  // on-stack (OSR) compile lands. Compiled in the background (the default), the loop meanwhile
  // went on interpreted, boxing every double (the Hessian's row loop: ≈ 40 ms and 30 MB of heap
  // numbers at 1M customers, where its compiled code takes 10 ms). Compiled in the foreground, the
  // loop waits the few milliseconds of the compile instead. The process is this command's alone.
  setFlagsFromString('--no-concurrent-osr');
  // `kizuna clv predict … | head` closes the pipe early; that is the reader's choice, not a failure.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const code = await runClv(argv, processIo);
  // A fit is done once its output is written: leave now rather than tear down a heap of large
  // arrays. Only when nothing is still queued (writes to files, terminals and, on Linux, pipes
  // complete synchronously; elsewhere a pipe may still hold some, and then the normal exit waits).
  const flushed = process.stdout.writableLength === 0 && process.stderr.writableLength === 0;
  if (argv[0] === 'fit' && flushed) process.exit(code);
  return code;
}

export async function runClv(argv: string[], io: CliIo): Promise<number> {
  try {
    const { command, flags } = parseArgs(argv);
    if (command === undefined || flags.has('help') || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'subscriptions') {
      const { subscriptionsCommand } = await import('./cli-subscriptions.ts');
      return subscriptionsCommand(flags, io.readFile, io.out);
    }
    if (command !== 'fit' && command !== 'predict' && command !== 'report') {
      io.err(`kizuna clv: unknown command '${command}'\n${USAGE}`);
      return 2;
    }
    // Only the report is worded, but a bad --lang is refused on every command, before the fit.
    const lang = reportLang(flags);
    const input = loadInput(flags, io.readFile, command !== 'fit', io.openFile);
    const maxIterations = positiveNumber(flags, 'max-iterations', 200);
    if (command === 'fit') return await fitCommand(flags, input, maxIterations, io);
    // Predictions and the report load the other models and @stdlib's ₂F₁ only when asked for.
    const { predictCustomers, predictionsCsv, warningText } = await import('./cli-predict.ts');
    const result = predictCustomers(flags, input, maxIterations);
    for (const w of result.warnings) io.err(`kizuna clv: warning: ${warningText(w)}\n`);
    if (command === 'predict') {
      const csv = predictionsCsv(input, result);
      const file = flags.get('output');
      if (file) {
        io.writeFile(file, csv);
        io.err(`kizuna clv: wrote ${input.summary.x.length} predictions to ${file}\n`);
      } else io.out(csv);
      return 0;
    }
    const { buildReport } = await import('./report-html.ts');
    const file = flags.get('output') ?? 'clv-report.html';
    io.writeFile(file, buildReport(input, result, lang));
    io.err(`kizuna clv: wrote the report to ${file}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kizuna clv: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (!(e instanceof ClvError)) throw e;
    io.err(`kizuna clv: ${e.message}\n`);
    return exitCode(e.code);
  }
}

async function fitCommand(
  flags: Map<string, string>,
  input: CliInput,
  maxIterations: number,
  io: CliIo,
): Promise<number> {
  const models = modelList(flags);
  const fits = [];
  // `bgnbd,gg`: Gamma-Gamma reuses the BG/NBD fit's customers-by-x order.
  const context = {};
  for (const model of models) fits.push(await fitModel(model, input.summary, { maxIterations }, context));
  if (flags.has('json')) {
    // One model: its object, as before. Several: an array of them, in the order asked for.
    const json = fits.map((fit) => fitJson(fit, input));
    io.out(`${JSON.stringify(json.length === 1 ? json[0] : json)}\n`);
  } else {
    io.out(fits.map((fit) => fitText(fit, input)).join(''));
  }
  const failed = fits.filter((fit) => !fit.diagnostics.converged);
  for (const fit of failed) {
    const what = models.length > 1 ? ` (${fit.model})` : '';
    io.err(`kizuna clv: the fit${what} did not converge: ${fit.diagnostics.message}\n`);
  }
  return failed.length > 0 ? exitCode('not_converged') : 0;
}

/** One place maps error codes to exit statuses; a new code fails the build until mapped. */
export function exitCode(code: ClvErrorCode): number {
  switch (code) {
    case 'invalid_input':
    case 'too_few_customers':
    case 'degenerate_data':
    case 'infinite_value':
      return 1;
    case 'not_converged':
      return 3;
    default:
      return assertUnreachable(code);
  }
}
