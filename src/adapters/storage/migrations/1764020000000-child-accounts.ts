import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Child accounts (one level): `accounts.parent_id` names the parent, and `users.home_user_id` marks a
 * "managed" user of a child, the row that gives a parent user access there. The managed row is an
 * ordinary user, so roles, the access policy and API keys in the child work unchanged.
 */
export class ChildAccounts1764020000000 implements MigrationInterface {
  name = 'ChildAccounts1764020000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.addColumn('accounts', new TableColumn(c.id('parent_id', false, true)));
    await runner.createForeignKey('accounts', fk('accounts', ['parent_id'], 'accounts', ['id']));
    await runner.createIndex('accounts', index('accounts', ['parent_id']));
    await runner.addColumn('users', new TableColumn(c.id('home_user_id', false, true)));
    // RESTRICT: a parent user's access rows are removed (and audited) by the domain before the user goes.
    await runner.createForeignKey('users', fk('users', ['home_user_id'], 'users', ['id']));
    await runner.createIndex('users', index('users', ['home_user_id']));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('users', 'ix_users_home_user_id');
    await runner.dropForeignKey('users', 'fk_users_home_user_id');
    await runner.dropColumn('users', 'home_user_id');
    await runner.dropIndex('accounts', 'ix_accounts_parent_id');
    await runner.dropForeignKey('accounts', 'fk_accounts_parent_id');
    await runner.dropColumn('accounts', 'parent_id');
  }
}
