import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/** API keys for the admin and authorization API: a member's (acting as that user) or the account's service key. */
export class ApiKeys1764000000000 implements MigrationInterface {
  name = 'ApiKeys1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.id('user_id', false, true),
          c.str('kind', 16),
          c.str('key_hash', 64),
          c.str('label', 200),
          c.time('created_at'),
          c.time('last_used_at', true),
          c.time('revoked_at', true),
        ],
        uniques: [new TableUnique({ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'] })],
        indices: [index('api_keys', ['account_id'])],
        foreignKeys: [
          fk('api_keys', ['account_id'], 'accounts', ['id']),
          // A deleted user's keys go with them.
          fk('api_keys', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('api_keys');
  }
}
