import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { createSecretBox, loadOrCreateKeyFile } from '../shared/secret-box.ts';
import { loadDemo } from './load-demo.ts';

/** `kizuna demo`: loads the demo brand into the configured database and prints the login. */
export async function runDemoCli(_argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    // The same key `kizuna start` seals LINE secrets with; without one the demo has no LINE channel.
    const key = config.secretKey ?? (config.databaseUrl ? undefined : loadOrCreateKeyFile(config.dataDir));
    if (!key) console.error('demo: no KIZUNA_SECRET_KEY with DATABASE_URL, so no demo LINE channel');
    const login = await loadDemo(database, {
      log: (message) => console.error(message),
      publicUrl: config.publicUrl,
      ...(key ? { secrets: createSecretBox(key) } : {}),
    });
    console.log(
      `Demo login: ${login.email}  password: ${login.password}${login.apiKey ? `\nAPI key (shown once): ${login.apiKey}` : ''}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
