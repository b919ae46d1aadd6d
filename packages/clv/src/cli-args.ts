/** Argument parsing for `kizuna clv`: `--flag value`, `--flag=value` and boolean switches. */
import { ClvError } from './errors.ts';

export const USAGE = `usage: kizuna clv <fit|predict|report> (--summary FILE | --transactions FILE) [options]
       kizuna clv subscriptions --subscriptions FILE [--as-of DATE] [--json]

input
  --summary FILE            columns frequency,recency,T[,monetary_value][,weights]
                            (also x,t_x,T,zbar; optional frequency_holdout,duration_holdout)
  --transactions FILE       a transaction log: customer, date[, amount]
    --customer-col C --date-col C --amount-col C   header name or 1-based number
    --no-header             the first line is data
    --calibration-end DATE  last day of calibration (default: the last date in the log)
    --holdout-end DATE      last day of the holdout period (optional)
  --subscriptions FILE      subscriptions: orders with columns subscription_id,plan,interval,
                            ordered_at,amount[,interval_count][,sequence][,status]
    --as-of DATE            the end of the data (default: the last ordered_at)
    --min-subscribers N     fewest subscribers a plan needs for a fit (default 10)
  --unit day|week           the unit of recency and T (summaries: required for predict/report;
                            transactions: default day)
model
  --model bgnbd|mbgnbd|pareto|gg|bgbb   (fit; default bgnbd); fit takes a list, e.g.
                            bgnbd,gg, fitted on one parse (--json: an array)
  --max-iterations N
output
  --json                    fit: print {"model","params","logLikelihood","n",...}
  --horizon N --horizon-unit day|week|month|year   predict/report window (default 1 year)
  --discount-rate R --discount-per day|week|month|year   CLV discounting (default 0.01 per month)
  --output FILE             predict: CSV (default stdout); report: HTML (default clv-report.html)
  --lang ja|en              report: the language of the report (default ja, Japanese)
`;

const VALUED = new Set([
  'summary',
  'transactions',
  'customer-col',
  'date-col',
  'amount-col',
  'calibration-end',
  'holdout-end',
  'unit',
  'model',
  'max-iterations',
  'horizon',
  'horizon-unit',
  'discount-rate',
  'discount-per',
  'output',
  'lang',
  'subscriptions',
  'as-of',
  'min-subscribers',
]);
const SWITCHES = new Set(['json', 'no-header', 'help']);

export interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new ClvError('invalid_input', `unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (SWITCHES.has(name)) {
      flags.set(name, 'true');
      continue;
    }
    if (!VALUED.has(name)) throw new ClvError('invalid_input', `unknown option --${name}`, { field: name });
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined) throw new ClvError('invalid_input', `--${name} needs a value`, { field: name });
    flags.set(name, value);
  }
  return { command, flags };
}

export function oneOf<T extends string>(
  flags: Map<string, string>,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = flags.get(name) ?? fallback;
  if (v === undefined)
    throw new ClvError('invalid_input', `--${name} is required (${allowed.join('|')})`, { field: name });
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ClvError('invalid_input', `--${name} must be one of ${allowed.join('|')} (got '${v}')`, {
      field: name,
    });
  }
  return v as T;
}

export function positiveNumber(
  flags: Map<string, string>,
  name: string,
  fallback: number,
  allowZero = false,
): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ClvError(
      'invalid_input',
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got '${text}')`,
      {
        field: name,
      },
    );
  }
  return v;
}

/**
 * A flag whose value the command cannot use at all: `kizuna clv` prints the message and the usage
 * and exits 2. (Not a `ClvError`: those codes are the library's outcomes, shared with the server.)
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const REPORT_LANGS = ['ja', 'en'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

/** `--lang ja|en` (default ja): the report's language; checked before any data is read. */
export function reportLang(flags: Map<string, string>): ReportLang {
  try {
    return oneOf(flags, 'lang', REPORT_LANGS, 'ja');
  } catch (e) {
    if (e instanceof ClvError) throw new UsageError(e.message);
    throw e;
  }
}
