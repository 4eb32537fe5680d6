import { Command } from 'commander';
import { print, withRoster } from '../context';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Bring the database schema up to date (the server also does this at start)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        // Opening Roster ran any pending migration; list what the database now has.
        const applied = await roster.dataSource.query('SELECT name FROM migrations ORDER BY id');
        const names = applied.map((m: { name: string }) => m.name);
        print(options.json === true, { migrations: names }, `Schema is up to date (${names.join(', ')}).`);
      });
    });
}
