import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { DomainError } from '../shared/domain-error.ts';
import { oneTimeLink } from './one-time-tokens.ts';
import { issueOperatorPasswordReset, RESET_TTL_MS } from './password-resets.ts';

const USAGE = `kizuna users reset-password --email E [--json]
  prints a one-time link (valid ${RESET_TTL_MS / 3_600_000} h) with which that user sets a new password;
  using it ends all of the user's sessions. Pass the link to the user yourself.`;

/** `kizuna users …`: the operator's account commands. */
export async function runUsersCli(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'reset-password') {
    console.error(sub && sub !== 'help' ? `kizuna users: unknown command "${sub}"\n\n${USAGE}` : USAGE);
    return sub === 'help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.email) {
    console.error(`kizuna users reset-password: --email is required\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(process.env);
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    const reset = await issueOperatorPasswordReset(database.db, values.email, `cli:${userInfo().username}`);
    const url = oneTimeLink(config.publicUrl, 'reset-password', reset.token);
    if (values.json) console.log(JSON.stringify({ url, expiresAt: reset.expiresAt }));
    else
      console.log(
        `Password reset link for ${values.email.trim()} (until ${reset.expiresAt.toISOString()}):\n${url}`,
      );
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`kizuna users reset-password: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
