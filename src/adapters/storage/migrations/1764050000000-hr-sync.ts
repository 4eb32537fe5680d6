import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * The HR sync's state: which users an account's HR export owns (by employee id), and start and
 * termination dates still to come, which the hr-due-dates sweep applies when due.
 */
export class HrSync1764050000000 implements MigrationInterface {
  name = 'HrSync1764050000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'hr_owned_users',
        columns: [
          { ...c.id('account_id'), isPrimary: true },
          { ...c.str('employee_id', 255), isPrimary: true },
          c.id('user_id'),
          c.time('created_at'),
        ],
        uniques: [new TableUnique({ name: 'uq_hr_owned_users_user_id', columnNames: ['user_id'] })],
        foreignKeys: [
          fk('hr_owned_users', ['account_id'], 'accounts', ['id']),
          // A user deleted by another channel is no longer the export's: its next run re-creates them.
          fk('hr_owned_users', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'hr_pending_changes',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.id('user_id'),
          // activate (start date) or deactivate (end of the termination day)
          c.str('kind', 16),
          c.time('due_at'),
          c.time('created_at'),
        ],
        indices: [
          index('hr_pending_changes', ['due_at']),
          index('hr_pending_changes', ['account_id', 'user_id']),
        ],
        foreignKeys: [
          fk('hr_pending_changes', ['account_id'], 'accounts', ['id']),
          fk('hr_pending_changes', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('hr_pending_changes');
    await runner.dropTable('hr_owned_users');
  }
}
