import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { DomainError } from '../shared/domain-error.ts';
import { initWorkspace } from './workspaces.ts';

/** `kizuna init [--json] [--name N] [--email E]`: a workspace, its owner and an API key. */
export async function runInitCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      email: { type: 'string' },
    },
  });
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    await migrate(database);
    const result = await initWorkspace(database.db, {
      name: values.name ?? 'My shop',
      ownerEmail: values.email ?? `owner-${randomBytes(4).toString('hex')}@kizuna.local`,
    });
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`Workspace: ${result.workspaceId}`);
      console.log(
        `Owner:     ${result.ownerEmail}${result.ownerPassword ? `  password: ${result.ownerPassword}` : ' (existing account)'}`,
      );
      console.log(`API key:   ${result.apiKey}`);
      console.log('The password and API key are shown once; store them now.');
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
