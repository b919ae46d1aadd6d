import { loadConfig } from '../config.ts';
import { migrate } from './migrate.ts';
import { openConfiguredDatabase } from './open-database.ts';

/** `kizuna migrate`: applies pending migrations and prints the version. */
export async function runMigrateCli(_argv: string[]): Promise<number> {
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    const { applied, version } = await migrate(database);
    console.log(
      applied.length
        ? `applied migrations ${applied.join(', ')}; now at version ${version}`
        : `up to date at version ${version}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
