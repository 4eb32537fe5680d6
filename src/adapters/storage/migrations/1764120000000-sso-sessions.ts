import { Table, TableColumn, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Browser sessions after a SAML sign-in: one row per session, found by the
 * SHA-256 of the cookie value (never the value itself), with its idle and absolute ends and how MFA
 * was satisfied at login. The account's lifetimes and the IdP's logout URL live on sso_configs.
 */
export class SsoSessions1764120000000 implements MigrationInterface {
  name = 'SsoSessions1764120000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'sso_sessions',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.id('user_id'),
          c.str('token_hash', 64),
          c.time('created_at'),
          c.time('last_seen_at'),
          // pushed forward on use (at most once a minute); the session ends when now passes it
          c.time('idle_expires_at'),
          c.time('absolute_expires_at'),
          c.int('idle_minutes'),
          // idp, totp or not_required; the detail is e.g. the AuthnContextClassRef
          c.str('mfa_method', 32),
          c.str('mfa_detail', 1024, true),
        ],
        uniques: [new TableUnique({ name: 'uq_sso_sessions_token_hash', columnNames: ['token_hash'] })],
        indices: [index('sso_sessions', ['user_id'])],
        foreignKeys: [
          fk('sso_sessions', ['account_id'], 'accounts', ['id']),
          // deleting a user ends their sessions
          fk('sso_sessions', ['user_id'], 'users', ['id'], 'CASCADE'),
        ],
      }),
    );
    await runner.addColumns('sso_configs', [
      new TableColumn({ ...c.str('logout_url', 2048, true) }),
      new TableColumn({ ...c.int('session_idle_minutes'), isNullable: true }),
      new TableColumn({ ...c.int('session_absolute_minutes'), isNullable: true }),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const column of ['session_absolute_minutes', 'session_idle_minutes', 'logout_url']) {
      await runner.dropColumn('sso_configs', column);
    }
    await runner.dropTable('sso_sessions');
  }
}
