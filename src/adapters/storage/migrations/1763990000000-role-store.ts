import {
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * The role store: IdP group → role mappings, each user's effective role (recomputed in the same
 * transaction as any membership or mapping change), and an account's default role.
 */
export class RoleStore1763990000000 implements MigrationInterface {
  name = 'RoleStore1763990000000';

  async up(runner: QueryRunner): Promise<void> {
    const binary = dialectOf(runner) === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const str = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...binary,
    });
    await runner.addColumn('accounts', new TableColumn(str('default_role_key', 64, true)));
    // Set when the Owner is deactivated (roles.md rule 7) until ownership moves.
    await runner.addColumn(
      'accounts',
      new TableColumn({ name: 'needs_ownership_transfer', type: 'boolean', isNullable: false, default: 0 }),
    );
    await runner.createTable(
      new Table({
        name: 'role_mappings',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('account_id', 36),
          // How the IdP group is named: its SCIM id, its externalId, or its displayName (lowercased).
          str('match_kind', 16),
          str('match_value', 255),
          str('role_key', 64),
          { name: 'created_at', type: 'bigint' },
        ],
        uniques: [
          new TableUnique({
            name: 'uq_role_mappings_match',
            columnNames: ['account_id', 'match_kind', 'match_value'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_role_mappings_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'user_roles',
        columns: [
          { ...str('user_id', 36), isPrimary: true },
          str('account_id', 36),
          str('role_key', 64, true),
          str('source', 16, true),
          str('source_group_id', 36, true),
          str('manual_role_key', 64, true),
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'ix_user_roles_account_id_role_key',
            columnNames: ['account_id', 'role_key'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_user_roles_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
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
