import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk } from './schema-helpers';

/**
 * MFA enforcement flags: each account's policy, one row per account that set one (the
 * default applies otherwise), and each user's own flag, a nullable column (null: not set).
 * Lists are JSON text, read whole: they are short and never queried inside.
 */
export class MfaPolicy1764040000000 implements MigrationInterface {
  name = 'MfaPolicy1764040000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'account_mfa_policies',
        columns: [
          c.id('account_id', true),
          c.bool('required'),
          c.json('role_keys'),
          c.json('accepted_authn_context_class_refs'),
          c.json('accepted_authn_methods'),
          c.bool('allow_totp_step_up'),
          c.time('updated_at'),
        ],
        foreignKeys: [fk('account_mfa_policies', ['account_id'], 'accounts', ['id'], 'CASCADE')],
      }),
    );
    await runner.addColumn(
      'users',
      new TableColumn({ name: 'mfa_required', type: 'boolean', isNullable: true }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('users', 'mfa_required');
    await runner.dropTable('account_mfa_policies');
  }
}
