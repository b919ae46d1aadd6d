// `kizuna loyalty …`: operator commands. Exit codes: 0 done, 1 refused (a domain error), 2 usage.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { pickWorkspace, WorkspaceChoiceError } from '../csv-import/pick-workspace.ts';
import { migrate } from '../db/migrate.ts';
import { type Database, openConfiguredDatabase } from '../db/open-database.ts';
import { DomainError } from '../shared/domain-error.ts';
import { grantCoupon } from './coupons.ts';
import { expirePoints, recordExpiringSoon } from './expire-points.ts';
import { resetCardKey } from './member-card.ts';
import { adjustPoints } from './points-ledger.ts';
import { loadRules, saveRules } from './rules.ts';
import { runStatusGrants } from './status-grants.ts';
import { evaluateAllTiers } from './tiers.ts';
import { memberSummary } from './till.ts';

export const LOYALTY_USAGE = `usage: kizuna loyalty COMMAND [--workspace ID]

  rules show                          print the earn rules, tiers and expiry settings (JSON)
  rules set FILE|-                    replace the rules from a JSON file (missing fields: defaults)
  member CUSTOMER_ID                  tier, points, stamps and usable coupons
  adjust CUSTOMER_ID POINTS --reason TEXT --staff NAME
                                      add (or with a negative number, deduct) points
  grant-coupon TEMPLATE_ID CUSTOMER_ID
                                      grant a coupon and print its code
  expire                              expire due points and record "expiring soon" events now
  daily                               evaluate tiers and run status-based grants now
  card-key reset                      issue a new membership-card signing key`;

type Print = (line: string) => void;

/** Runs one command against an open database (the tests call this directly). */
export async function runLoyaltyCommand(
  database: Database,
  argv: string[],
  print: Print = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, reason: { type: 'string' }, staff: { type: 'string' } },
  });
  const [command, ...args] = positionals;
  const db = database.db;
  const workspaceId = await pickWorkspace(db, values.workspace);
  const actor = `cli:${userInfo().username}`;
  const json = (value: unknown) => print(JSON.stringify(value, null, 2));
  const sub = `${command ?? ''} ${args[0] ?? ''}`.trim();
  if (sub === 'rules show') {
    json(await loadRules(db, workspaceId));
    return 0;
  }
  if (sub === 'rules set' && args[1]) {
    const text = readFileSync(args[1] === '-' ? 0 : args[1], 'utf8');
    json(await saveRules(db, workspaceId, JSON.parse(text), actor));
    return 0;
  }
  if (command === 'expire') {
    print(
      JSON.stringify({
        ...(await expirePoints(db, { workspaceId })),
        ...(await recordExpiringSoon(db, { workspaceId })),
      }),
    );
    return 0;
  }
  if (command === 'daily') {
    const tiers = await evaluateAllTiers(db, workspaceId, { actor });
    print(
      JSON.stringify({ tierChanges: tiers.length, ...(await runStatusGrants(db, workspaceId, { actor })) }),
    );
    return 0;
  }
  if (sub === 'card-key reset') {
    await resetCardKey(db, workspaceId);
    print('membership-card key reset; cards refresh with a new one');
    return 0;
  }
  if (command === 'member' && args.length === 1) {
    json(await memberSummary(db, workspaceId, Number(args[0])));
    return 0;
  }
  if (command === 'adjust' && args.length === 2) {
    if (!values.reason || !values.staff) throw new UsageError('adjust needs --reason and --staff');
    const rules = await loadRules(db, workspaceId);
    const entry = await adjustPoints(db, workspaceId, {
      customerId: Number(args[0]),
      points: Number(args[1]),
      reason: values.reason,
      staff: values.staff,
      actor,
      validityMonths: rules.lotValidityMonths,
    });
    print(
      `entry ${entry.entryId}: ${entry.points > 0 ? '+' : ''}${entry.points} points, balance ${entry.balance}`,
    );
    return 0;
  }
  if (command === 'grant-coupon' && args.length === 2) {
    const coupon = await grantCoupon(db, workspaceId, {
      templateId: Number(args[0]),
      customerId: Number(args[1]),
      source: 'manual',
      actor,
    });
    print(`coupon ${coupon.code} (valid until ${coupon.valid_until?.toISOString() ?? 'no end'})`);
    return 0;
  }
  throw new UsageError(`unknown command "${positionals.join(' ')}"`);
}

class UsageError extends Error {}

export async function runLoyaltyCli(argv: string[]): Promise<number> {
  if (!argv.length || argv[0] === 'help' || argv.includes('--help')) {
    console.log(LOYALTY_USAGE);
    return argv.length ? 0 : 2;
  }
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    await migrate(database);
    return await runLoyaltyCommand(database, argv);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`kizuna loyalty: ${error.message}\n\n${LOYALTY_USAGE}`);
      return 2;
    }
    if (
      error instanceof DomainError ||
      error instanceof WorkspaceChoiceError ||
      error instanceof SyntaxError
    ) {
      console.error(`kizuna loyalty: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
