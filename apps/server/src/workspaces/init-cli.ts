import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { DomainError } from '../shared/domain-error.ts';
import { oneTimeLink } from './one-time-tokens.ts';
import { initWorkspace } from './workspaces.ts';

/**
 * `kizuna init [--json] [--name N] [--email E]`: a workspace, its owner and an API key.
 * Without --email the owner is a new `owner-…@kizuna.local` account with a generated password
 * (the operator's own login). With --email the owner is invited like any member: the printed
 * link lets a new person set their own password, or an existing user log in and accept.
 */
export async function runInitCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      email: { type: 'string' },
    },
  });
  const config = loadConfig(process.env);
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    const created = await initWorkspace(database.db, {
      name: values.name ?? 'My shop',
      ownerEmail: values.email ?? `owner-${randomBytes(4).toString('hex')}@kizuna.local`,
      owner: values.email ? 'invite' : 'password',
    });
    const { ownerInvitation, ...result } = created;
    const invitationUrl = ownerInvitation
      ? oneTimeLink(config.publicUrl, 'invite', ownerInvitation.token)
      : null;
    if (values.json) {
      console.log(JSON.stringify({ ...result, invitationUrl }));
    } else {
      console.log(`Workspace: ${result.workspaceId}`);
      if (result.ownerPassword)
        console.log(`Owner:     ${result.ownerEmail}  password: ${result.ownerPassword}`);
      else
        console.log(
          `Owner:     ${result.ownerEmail} becomes the owner by opening this link (valid 7 days; pass it to them):\n           ${invitationUrl}`,
        );
      console.log(`API key:   ${result.apiKey}`);
      console.log('The password, link and API key are shown once; store them now.');
    }
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`kizuna init: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
