import {
  Table,
  TableForeignKey,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { dialectOf } from '../dialect';

/** API keys for the admin and authorization API: a member's (acting as that user) or the account's service key. */
export class ApiKeys1764000000000 implements MigrationInterface {
  name = 'ApiKeys1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    const binary = dialectOf(runner) === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const str = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...binary,
    });
    await runner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('account_id', 36),
          str('user_id', 36, true),
          str('kind', 16),
          str('key_hash', 64),
          str('label', 200),
          { name: 'created_at', type: 'bigint' },
          { name: 'last_used_at', type: 'bigint', isNullable: true },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        uniques: [new TableUnique({ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'] })],
        indices: [new TableIndex({ name: 'ix_api_keys_account_id', columnNames: ['account_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_api_keys_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          }),
          // A deleted user's keys go with them.
          new TableForeignKey({
            name: 'fk_api_keys_user_id',
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
    await runner.dropTable('api_keys');
  }
}
