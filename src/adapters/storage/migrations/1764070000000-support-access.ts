import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Time-limited access for the vendor's support staff (shared/seeds/002): grants an Owner or Admin
 * gives, and the sessions an operator issues to a support agent under an active grant.
 */
export class SupportAccess1764070000000 implements MigrationInterface {
  name = 'SupportAccess1764070000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'support_grants',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.str('granted_by', 128),
          c.str('granted_by_name', 255),
          c.time('created_at'),
          c.time('expires_at'),
          c.time('ended_at', true),
          // revoked, expired or replaced
          c.str('end_reason', 16, true),
          c.str('ended_by', 128, true),
        ],
        indices: [index('support_grants', ['account_id', 'ended_at', 'expires_at'])],
        foreignKeys: [fk('support_grants', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'support_sessions',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.id('grant_id'),
          c.str('agent', 128),
          c.str('token_hash', 64),
          c.time('created_at'),
        ],
        uniques: [new TableUnique({ name: 'uq_support_sessions_token_hash', columnNames: ['token_hash'] })],
        foreignKeys: [
          fk('support_sessions', ['account_id'], 'accounts', ['id']),
          fk('support_sessions', ['grant_id'], 'support_grants', ['id']),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('support_sessions');
    await runner.dropTable('support_grants');
  }
}
