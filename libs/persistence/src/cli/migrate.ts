// `npm run db:migrate`: creates the database if missing and applies pending migrations.
import { loadConfigOrExit, parseCommandLine } from '@activity/config';
import { migrateDatabase } from '../data-source';
import { MigrationConfig } from './migration.config';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'npm run db:migrate', summary: 'Creates the database if missing and applies pending migrations (DATABASE_ADMIN_URL).', options: {} });
  const config = loadConfigOrExit(MigrationConfig);
  const applied = await migrateDatabase(config.DATABASE_ADMIN_URL);
  process.stdout.write(applied.length ? `migrated: ${applied.join(', ')}\n` : 'database schema is up to date\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
