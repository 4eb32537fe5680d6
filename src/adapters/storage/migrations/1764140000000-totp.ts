import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Roster's own TOTP step-up: each user's authenticator (secret encrypted), their
 * backup codes (SHA-256 only) and the SAML logins waiting for a code (cookie hash only).
 */
export class Totp1764140000000 implements MigrationInterface {
  name = 'Totp1764140000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'user_totp',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          c.str('sealed_secret', 512),
          c.bool('confirmed'),
          c.int('failed_attempts'),
          c.time('locked_until', true),
          c.time('last_step', true),
          c.time('created_at'),
        ],
        foreignKeys: [fk('user_totp', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'totp_backup_codes',
        columns: [c.serial('id'), c.id('user_id'), c.str('code_hash', 64), c.time('used_at', true)],
        indices: [index('totp_backup_codes', ['user_id'])],
        foreignKeys: [fk('totp_backup_codes', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'sso_pending_logins',
        columns: [
          { ...c.str('token_hash', 64), isPrimary: true },
          c.id('account_id'),
          c.id('user_id'),
          c.str('method', 20),
          c.str('relay_state', 2048, true),
          c.time('expires_at'),
        ],
        indices: [index('sso_pending_logins', ['user_id']), index('sso_pending_logins', ['expires_at'])],
        foreignKeys: [fk('sso_pending_logins', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('sso_pending_logins');
    await runner.dropTable('totp_backup_codes');
    await runner.dropTable('user_totp');
  }
}
