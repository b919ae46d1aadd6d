/**
 * `kizuna clv fit|predict|report`. This file does the file I/O and maps error codes to exit
 * statuses; everything numerical lives in the model modules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { oneOf, parseArgs, positiveNumber, USAGE } from './cli-args.ts';
import { type AnyFit, fitByName, MODEL_TITLES, MODELS } from './cli-models.ts';
import { type CliInput, loadInput, predictCustomers, predictionsCsv } from './cli-predict.ts';
import { assertUnreachable, ClvError, type ClvErrorCode } from './errors.ts';
import { buildReport } from './report-html.ts';

export interface CliIo {
  readFile: (path: string) => Uint8Array;
  writeFile: (path: string, data: string) => void;
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CliIo = {
  readFile: (path) => readFileSync(path),
  writeFile: (path, data) => writeFileSync(path, data),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `kizuna clv …` entry point. Returns the process exit code. */
export async function runClvCli(argv: string[]): Promise<number> {
  // `kizuna clv predict … | head` closes the pipe early; that is the reader's choice, not a failure.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return runClv(argv, processIo);
}

export async function runClv(argv: string[], io: CliIo): Promise<number> {
  try {
    const { command, flags } = parseArgs(argv);
    if (command === undefined || flags.has('help') || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'fit' && command !== 'predict' && command !== 'report') {
      io.err(`kizuna clv: unknown command '${command}'\n${USAGE}`);
      return 2;
    }
    const input = loadInput(flags, io.readFile, command !== 'fit');
    const maxIterations = positiveNumber(flags, 'max-iterations', 200);
    if (command === 'fit') return fitCommand(flags, input, maxIterations, io);
    const result = predictCustomers(flags, input, maxIterations);
    for (const w of result.warnings) io.err(`kizuna clv: warning: ${w}\n`);
    if (command === 'predict') {
      const csv = predictionsCsv(input, result);
      const file = flags.get('output');
      if (file) {
        io.writeFile(file, csv);
        io.err(`kizuna clv: wrote ${input.summary.x.length} predictions to ${file}\n`);
      } else io.out(csv);
      return 0;
    }
    const file = flags.get('output') ?? 'clv-report.html';
    io.writeFile(file, buildReport(input, result));
    io.err(`kizuna clv: wrote the report to ${file}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ClvError)) throw e;
    io.err(`kizuna clv: ${e.message}\n`);
    return exitCode(e.code);
  }
}

function fitCommand(flags: Map<string, string>, input: CliInput, maxIterations: number, io: CliIo): number {
  const model = oneOf(flags, 'model', MODELS, 'bgnbd');
  const fit = fitByName(model, input.summary, { maxIterations });
  if (flags.has('json')) {
    io.out(`${JSON.stringify(fitJson(fit, input))}\n`);
  } else {
    io.out(fitText(fit, input));
  }
  if (!fit.diagnostics.converged) {
    io.err(`kizuna clv: the fit did not converge: ${fit.diagnostics.message}\n`);
    return exitCode('not_converged');
  }
  return 0;
}

export function fitJson(fit: AnyFit, input: CliInput) {
  return {
    model: fit.model,
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    n: fit.n,
    rows: fit.rows,
    unit: input.unit ?? null,
    standardErrors: fit.standardErrors,
    converged: fit.diagnostics.converged,
    diagnostics: fit.diagnostics,
  };
}

function fitText(fit: AnyFit, input: CliInput): string {
  const title = MODEL_TITLES[fit.model as keyof typeof MODEL_TITLES] ?? fit.model;
  const se = fit.standardErrors as Record<string, number>;
  const lines = [
    `${title} fit on ${fit.n.toLocaleString('en')} customers (${fit.rows.toLocaleString('en')} distinct rows)${input.unit ? `, time unit ${input.unit}` : ''}`,
    ...Object.entries(fit.params).map(
      ([k, v]) => `  ${k.padEnd(6)} ${v.toFixed(4).padStart(12)}   (se ${se[k]!.toFixed(4)})`,
    ),
    `  log-likelihood ${fit.logLikelihood.toFixed(2)}`,
    `  ${fit.diagnostics.converged ? 'converged' : 'NOT converged'} after ${fit.diagnostics.iterations} iterations (${fit.diagnostics.method}): ${fit.diagnostics.message}`,
  ];
  return `${lines.join('\n')}\n`;
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
