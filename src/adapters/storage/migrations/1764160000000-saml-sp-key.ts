import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, index } from './schema-helpers';

/**
 * SAML single logout and signed requests: whether the IdP wants signed AuthnRequests (from its
 * metadata), and who the IdP said signed in (NameID, its format, SessionIndex) on each session and
 * each login waiting for a TOTP code, so a LogoutRequest can name them and an IdP's can find them.
 */
export class SamlSpKey1764160000000 implements MigrationInterface {
  name = 'SamlSpKey1764160000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.addColumn(
      'sso_configs',
      new TableColumn({ ...c.bool('want_authn_requests_signed'), default: false }),
    );
    await runner.addColumns('sso_sessions', [
      new TableColumn(c.str('saml_name_id', 255, true)),
      new TableColumn(c.str('saml_name_id_format', 255, true)),
      new TableColumn(c.str('saml_session_index', 255, true)),
    ]);
    await runner.createIndex(
      'sso_sessions',
      new TableIndex(index('sso_sessions', ['account_id', 'saml_name_id'])),
    );
    await runner.addColumn('sso_pending_logins', new TableColumn(c.json('saml_subject', true)));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('sso_pending_logins', 'saml_subject');
    await runner.dropIndex('sso_sessions', 'ix_sso_sessions_account_id_saml_name_id');
    for (const column of ['saml_session_index', 'saml_name_id_format', 'saml_name_id']) {
      await runner.dropColumn('sso_sessions', column);
    }
    await runner.dropColumn('sso_configs', 'want_authn_requests_signed');
  }
}
