import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { loadDemo } from './load-demo.ts';

/** `kizuna demo`: loads the demo brand into the configured database and prints the login. */
export async function runDemoCli(_argv: string[]): Promise<number> {
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    await migrate(database);
    const login = await loadDemo(database, { log: (message) => console.error(message) });
    console.log(
      `Demo login: ${login.email}  password: ${login.password}${login.apiKey ? `\nAPI key (shown once): ${login.apiKey}` : ''}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
