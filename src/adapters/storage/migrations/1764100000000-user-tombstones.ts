import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * What is left of a deleted user: enough for the audit log to name them, and for reprovisioning
 * the same person (same externalId or employee number) to restore the same id.
 */
export class UserTombstones1764100000000 implements MigrationInterface {
  name = 'UserTombstones1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'user_tombstones',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          c.str('user_name', 255),
          c.str('external_id', 255, true),
          c.str('employee_number', 255, true),
          c.time('deleted_at'),
        ],
        indices: [
          index('user_tombstones', ['account_id', 'external_id']),
          index('user_tombstones', ['account_id', 'employee_number']),
        ],
        foreignKeys: [fk('user_tombstones', ['account_id'], 'accounts', ['id'])],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('user_tombstones');
  }
}
