import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * One migration set for SQLite and MySQL/MariaDB, written with the Table API.
 * Strings are binary-collated on MySQL so comparisons are case-sensitive on both databases;
 * case-insensitive attributes get a lowercased `_norm` column instead (architecture.md §3).
 */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          c.id('id', true),
          c.str('name', 200),
          c.str('status', 16),
          c.time('created_at'),
          c.int('version'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.str('user_name'),
          c.str('user_name_norm'),
          c.str('external_id', 255, true),
          c.bool('active'),
          c.str('display_name', 255, true),
          c.str('display_name_norm', 255, true),
          c.str('given_name', 255, true),
          c.str('given_name_norm', 255, true),
          c.str('family_name', 255, true),
          c.str('family_name_norm', 255, true),
          c.str('employee_number', 255, true),
          c.id('manager_id', false, true),
          c.str('primary_email_norm', 255, true),
          c.json('emails'),
          c.json('profile'),
          c.int('version'),
          c.time('created_at'),
          c.time('last_modified'),
        ],
        uniques: [
          new TableUnique({ name: 'uq_users_account_id', columnNames: ['account_id', 'id'] }),
          new TableUnique({ name: 'uq_users_user_name_norm', columnNames: ['account_id', 'user_name_norm'] }),
          new TableUnique({ name: 'uq_users_external_id', columnNames: ['account_id', 'external_id'] }),
        ],
        indices: [
          index('users', ['account_id', 'display_name_norm']),
          index('users', ['account_id', 'given_name_norm']),
          index('users', ['account_id', 'family_name_norm']),
          index('users', ['account_id', 'primary_email_norm']),
          index('users', ['account_id', 'employee_number']),
          index('users', ['account_id', 'manager_id']),
          index('users', ['account_id', 'active']),
          index('users', ['account_id', 'created_at']),
          index('users', ['account_id', 'last_modified']),
        ],
        foreignKeys: [fk('users', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'user_emails',
        columns: [
          c.id('user_id', true),
          c.int('position', true),
          c.id('account_id'),
          c.str('value_norm'),
          c.str('type_norm', 64, true),
          c.bool('is_primary'),
        ],
        indices: [index('user_emails', ['account_id', 'value_norm'])],
        foreignKeys: [fk('user_emails', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'account_owners',
        columns: [c.id('account_id', true), c.id('user_id')],
        foreignKeys: [
          fk('account_owners', ['account_id'], 'accounts', ['id']),
          // RESTRICT: the Owner's user row cannot be deleted while it is the Owner (roles.md rule 2).
          fk('account_owners', ['account_id', 'user_id'], 'users', ['account_id', 'id']),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'directory_groups',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.str('display_name'),
          c.str('display_name_norm'),
          c.str('external_id', 255, true),
          c.int('version'),
          c.time('created_at'),
          c.time('last_modified'),
        ],
        uniques: [
          new TableUnique({ name: 'uq_directory_groups_account_id', columnNames: ['account_id', 'id'] }),
          new TableUnique({
            name: 'uq_directory_groups_display_name_norm',
            columnNames: ['account_id', 'display_name_norm'],
          }),
          new TableUnique({
            name: 'uq_directory_groups_external_id',
            columnNames: ['account_id', 'external_id'],
          }),
        ],
        indices: [
          index('directory_groups', ['account_id', 'last_modified']),
          index('directory_groups', ['account_id', 'created_at']),
        ],
        foreignKeys: [fk('directory_groups', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'group_members',
        columns: [c.id('group_id', true), c.id('user_id', true), c.id('account_id')],
        indices: [index('group_members', ['user_id', 'group_id'])],
        foreignKeys: [
          fk('group_members', ['group_id'], 'directory_groups', ['id'], 'CASCADE'),
          fk('group_members', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'scim_tokens',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.str('token_hash', 64),
          c.str('label', 200),
          c.time('created_at'),
          c.time('last_used_at', true),
          c.time('revoked_at', true),
        ],
        uniques: [new TableUnique({ name: 'uq_scim_tokens_token_hash', columnNames: ['token_hash'] })],
        indices: [index('scim_tokens', ['account_id'])],
        foreignKeys: [fk('scim_tokens', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.serial('id'),
          c.id('account_id'),
          c.time('occurred_at'),
          c.str('actor_kind', 32),
          c.str('actor_id'),
          c.str('channel', 32),
          c.str('action', 64),
          c.str('subject_type', 32),
          c.str('subject_id'),
          c.json('before_json', true),
          c.json('after_json', true),
          c.str('request_id', 64, true),
        ],
        indices: [
          index('audit_events', ['account_id', 'id']),
          index('audit_events', ['account_id', 'subject_id']),
        ],
        foreignKeys: [fk('audit_events', ['account_id'], 'accounts', ['id'])],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'scim_tokens',
      'group_members',
      'directory_groups',
      'account_owners',
      'user_emails',
      'users',
      'accounts',
    ]) {
      await runner.dropTable(table);
    }
  }
}
