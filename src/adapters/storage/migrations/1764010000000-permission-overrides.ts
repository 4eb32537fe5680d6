import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './schema-helpers';

/** Per-user permission overrides on top of the role (shared/seeds/003): all, none, grants, restrictions. */
export class PermissionOverrides1764010000000 implements MigrationInterface {
  name = 'PermissionOverrides1764010000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.addColumn('user_roles', new TableColumn(c.str('override_mode', 8, true)));
    await runner.addColumn('user_roles', new TableColumn(c.json('granted', true)));
    await runner.addColumn('user_roles', new TableColumn(c.json('restricted', true)));
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const column of ['restricted', 'granted', 'override_mode'])
      await runner.dropColumn('user_roles', column);
  }
}
