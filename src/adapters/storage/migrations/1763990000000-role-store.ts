import { Table, TableColumn, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * The role store: IdP group → role mappings, each user's effective role (recomputed in the same
 * transaction as any membership or mapping change), and an account's default role.
 */
export class RoleStore1763990000000 implements MigrationInterface {
  name = 'RoleStore1763990000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.addColumn('accounts', new TableColumn(c.str('default_role_key', 64, true)));
    // Set when the Owner is deactivated (roles.md rule 7) until ownership moves.
    await runner.addColumn(
      'accounts',
      new TableColumn({ name: 'needs_ownership_transfer', type: 'boolean', isNullable: false, default: 0 }),
    );
    await runner.createTable(
      new Table({
        name: 'role_mappings',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          // How the IdP group is named: its SCIM id, its externalId, or its displayName (lowercased).
          c.str('match_kind', 16),
          c.str('match_value'),
          c.str('role_key', 64),
          c.time('created_at'),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_role_mappings_match',
            columnNames: ['account_id', 'match_kind', 'match_value'],
          }),
        ],
        foreignKeys: [fk('role_mappings', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'user_roles',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          c.str('role_key', 64, true),
          c.str('source', 16, true),
          c.id('source_group_id', false, true),
          c.str('manual_role_key', 64, true),
          c.time('updated_at'),
        ],
        indices: [index('user_roles', ['account_id', 'role_key'])],
        foreignKeys: [fk('user_roles', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('user_roles');
    await runner.dropTable('role_mappings');
    await runner.dropColumn('accounts', 'needs_ownership_transfer');
    await runner.dropColumn('accounts', 'default_role_key');
  }
}
