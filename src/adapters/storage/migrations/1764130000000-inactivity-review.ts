import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * The inactivity sweep (shared/seeds/004: review users with no login for 90 days): each account's
 * choice of days and action, and the users flagged for review.
 */
export class InactivityReview1764130000000 implements MigrationInterface {
  name = 'InactivityReview1764130000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'inactivity_settings',
        columns: [c.id('account_id', true), c.int('days'), c.str('action', 16), c.time('updated_at')],
        foreignKeys: [fk('inactivity_settings', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'inactivity_flags',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          c.time('flagged_at'),
          c.time('last_activity_at'),
        ],
        indices: [index('inactivity_flags', ['account_id'])],
        foreignKeys: [fk('inactivity_flags', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('inactivity_flags');
    await runner.dropTable('inactivity_settings');
  }
}
