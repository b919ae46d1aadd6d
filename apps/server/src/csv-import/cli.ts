// `kizuna import customers|orders FILE`: parses the flags, picks the workspace, runs importCsv
// and prints the summary or the problems. Exit codes: 0 imported, 1 problems (nothing imported
// unless --skip-invalid), 2 usage.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliContext } from '../capabilities/capability.ts';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { startJobs } from '../jobs/jobs.ts';
import { createLogger } from '../shared/logger.ts';
import { createSecretBox } from '../shared/secret-box.ts';
import { type ImportSummary, importCsv } from './import-csv.ts';
import { pickWorkspace, WorkspaceChoiceError } from './pick-workspace.ts';
import { progressReporter } from './progress.ts';
import { CSV_ENCODINGS, type CsvEncoding, CsvSyntaxError } from './read-csv.ts';
import { formatRowProblem } from './row-problem.ts';

const USAGE = `usage: kizuna import customers|orders FILE [options]

  --format kizuna|shopify   orders: the file's format (default: detected from the header)
  --encoding utf-8|shift_jis
                            the file's text encoding (default utf-8; a BOM is fine)
  --skip-invalid            import the valid rows; write the others to the rejects file
  --rejects PATH            the rejects file (default FILE.rejects.csv)
  --workspace ID            the workspace (default: the only one)
  --batch-size N            rows per write batch (default 1000 for orders, 50000 for customers)`;

export async function runImportCli(argv: string[], context: CliContext): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`kizuna import: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { kind, file, values } = args;
  const config = loadConfig(process.env);
  const database = await openConfiguredDatabase(config);
  const progress = progressReporter(process.stderr);
  let jobs: Jobs | undefined;
  try {
    await migrate(database);
    // Queue-only job system: the import publishes orders.changed / customers.changed for the
    // worker of `kizuna start` (loyalty points, segment membership) without running jobs here.
    // No job runs here, so no stored secret is ever opened: a throwaway key is enough.
    jobs = await startJobs(database, await context.jobs(), {
      logger: createLogger('warn'),
      work: false,
      secrets: createSecretBox(randomBytes(32)),
    });
    const workspaceId = await pickWorkspace(database.db, values.workspace);
    const started = Date.now();
    const summary = await importCsv(database, {
      kind,
      file,
      workspaceId,
      ...(values.format ? { format: values.format as 'kizuna' | 'shopify' } : {}),
      ...(values.encoding ? { encoding: values.encoding as CsvEncoding } : {}),
      skipInvalid: Boolean(values['skip-invalid']),
      ...(values.rejects ? { rejectsFile: values.rejects } : {}),
      ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
      onProgress: progress.onProgress,
      publish: jobs.publish,
    });
    progress.done();
    return report(kind, file, summary, (Date.now() - started) / 1000);
  } catch (error) {
    progress.done();
    if (error instanceof CsvSyntaxError || error instanceof WorkspaceChoiceError) {
      console.error(`kizuna import: ${file}: ${error.message}\nNothing was imported.`);
      return 1;
    }
    throw error;
  } finally {
    await jobs?.stop(5_000);
    await database.close();
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      encoding: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      rejects: { type: 'string' },
      workspace: { type: 'string' },
      'batch-size': { type: 'string' },
    },
  });
  const [kind, file, ...extra] = positionals;
  if (kind !== 'customers' && kind !== 'orders')
    throw new Error('the first argument must be customers or orders');
  if (!file) throw new Error('FILE is missing');
  if (extra.length) throw new Error(`unexpected arguments: ${extra.join(' ')}`);
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  if (values.format && !['kizuna', 'shopify'].includes(values.format))
    throw new Error('--format must be kizuna or shopify');
  if (
    values.encoding &&
    !(CSV_ENCODINGS as readonly string[]).includes(
      values.encoding.toLowerCase().replace('-', '_').replace('utf_8', 'utf-8'),
    )
  )
    throw new Error(`--encoding must be one of ${CSV_ENCODINGS.join(', ')}`);
  if (values.encoding)
    values.encoding = values.encoding.toLowerCase().replace('-', '_').replace('utf_8', 'utf-8');
  if (values['batch-size'] && !(Number(values['batch-size']) >= 1))
    throw new Error('--batch-size must be a positive number');
  return { kind: kind as 'customers' | 'orders', file, values };
}

function report(kind: string, file: string, s: ImportSummary, seconds: number): number {
  const shown = s.problems.map(formatRowProblem).join('\n');
  const more =
    s.problemCount > s.problems.length
      ? `\n… and ${s.problemCount - s.problems.length} more problems (${s.problemCount} in all)`
      : '';
  if (!s.imported) {
    console.error(
      `${file}: ${s.problemCount} problem${s.problemCount === 1 ? '' : 's'} in ${s.rejectedRows} row${s.rejectedRows === 1 ? '' : 's'}:\n${shown}${more}`,
    );
    console.error('Nothing was imported. Fix the rows, or pass --skip-invalid to import the others.');
    return 1;
  }
  if (s.warningCount) {
    const hidden = s.warningCount - s.warnings.length;
    console.error(
      `${s.warningCount} warning${s.warningCount === 1 ? '' : 's'} (imported without the cell):\n${s.warnings.map(formatRowProblem).join('\n')}${hidden ? `\n… and ${hidden} more warnings` : ''}`,
    );
  }
  const what = kind === 'customers' ? 'customers' : 'orders';
  console.log(
    `${file} (${s.format} format): ${s.rows} rows in ${seconds.toFixed(1)} s; ${what}: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged; ${s.rejectedRows} rows rejected` +
      (s.customersCreated ? `; ${s.customersCreated} new customers` : ''),
  );
  if (s.rejectsFile) {
    console.error(`${shown}${more}`);
    console.error(`Rejected rows were written to ${s.rejectsFile}`);
  }
  return 0;
}
