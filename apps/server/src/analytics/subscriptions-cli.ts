// `kizuna clv subscriptions [--workspace ID]` without --subscriptions FILE: subscription LTV per
// plan from the database's orders, as GET /v1/analytics/subscriptions answers it.
import { parseArgs } from 'node:util';
import { parseJapanInstant, subscriptionPlansText } from '@kizuna/clv';
import { loadConfig } from '../config.ts';
import { pickWorkspace, WorkspaceChoiceError } from '../csv-import/pick-workspace.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { subscriptionLtv } from './subscription-ltv.ts';

const USAGE = `usage: kizuna clv subscriptions [--workspace ID] [--as-of DATE] [--min-subscribers N] [--json]
       kizuna clv subscriptions --subscriptions FILE …   (from a CSV instead of the database)`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      'as-of': { type: 'string' },
      'min-subscribers': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const asOf = values['as-of'] === undefined ? undefined : parseJapanInstant(values['as-of']);
  if (values['as-of'] !== undefined && asOf === undefined)
    throw new Error(`--as-of is not a date: '${values['as-of']}'`);
  const min = values['min-subscribers'];
  if (min !== undefined && !/^[1-9]\d{0,5}$/.test(min))
    throw new Error(`--min-subscribers must be a whole number of at least 1: '${min}'`);
  return { ...values, asOf, minSubscribers: min === undefined ? undefined : Number(min) };
}

export async function runSubscriptionsCli(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`kizuna clv subscriptions: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    await migrate(database);
    const workspaceId = await pickWorkspace(database.db, args.workspace);
    const report = await subscriptionLtv(database.db, workspaceId, {
      ...(args.asOf ? { asOf: args.asOf } : {}),
      ...(args.minSubscribers ? { minSubscribers: args.minSubscribers } : {}),
    });
    process.stdout.write(
      args.json ? `${JSON.stringify(report)}\n` : subscriptionPlansText(new Date(report.asOf), report.plans),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof WorkspaceChoiceError)) throw error;
    console.error(`kizuna clv subscriptions: ${error.message}`);
    return 1;
  } finally {
    await database.close();
  }
}
