import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Invitations (shared/seeds/000: valid 7 days; 001: pending ones can be resent): the invited user
 * waits inactive until they accept with the secret the product mailed them.
 */
export class Invitations1764090000000 implements MigrationInterface {
  name = 'Invitations1764090000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'invitations',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.id('user_id'),
          c.str('invited_by', 128),
          // pending, accepted or expired
          c.str('status', 16),
          c.str('token_hash', 64),
          c.time('created_at'),
          c.time('sent_at'),
          c.int('sent_count'),
          c.time('expires_at'),
          c.time('accepted_at', true),
        ],
        uniques: [new TableUnique({ name: 'uq_invitations_token_hash', columnNames: ['token_hash'] })],
        indices: [
          index('invitations', ['account_id', 'status', 'expires_at']),
          index('invitations', ['user_id']),
        ],
        foreignKeys: [
          fk('invitations', ['account_id'], 'accounts', ['id']),
          // Deleting the invited user withdraws the invitation.
          fk('invitations', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('invitations');
  }
}
