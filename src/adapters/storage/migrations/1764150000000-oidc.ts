import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * The sign-in hand-off to products (OpenID Connect): the provider's records in one table keyed by
 * (model, id) with indexed lookups; the registered products (secret digest only); the ID token
 * signing keys (private part sealed); the email domains each account claims (one account per
 * domain: the primary key); and the tie from a Roster session to the product sign-in it created.
 */
export class Oidc1764150000000 implements MigrationInterface {
  name = 'Oidc1764150000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'oidc_payloads',
        columns: [
          { ...c.str('model', 32), isPrimary: true },
          { ...c.str('id', 255), isPrimary: true },
          c.json('payload'),
          c.str('grant_id', 255, true),
          c.str('uid', 255, true),
          c.str('user_code', 255, true),
          // the subject (a Roster user id) of sessions, grants, codes and tokens
          c.id('user_id', false, true),
          c.time('expires_at', true),
          c.time('consumed_at', true),
        ],
        indices: [
          index('oidc_payloads', ['grant_id']),
          index('oidc_payloads', ['uid']),
          index('oidc_payloads', ['user_code']),
          index('oidc_payloads', ['user_id']),
          index('oidc_payloads', ['expires_at']),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'oidc_clients',
        columns: [
          { ...c.str('id', 64), isPrimary: true },
          c.str('name', 100),
          c.str('secret_hash', 64),
          c.json('redirect_uris'),
          c.json('post_logout_redirect_uris'),
          c.str('backchannel_logout_uri', 2048, true),
          c.str('token_endpoint_auth_method', 32),
          c.time('created_at'),
          c.str('created_by'),
          c.time('revoked_at', true),
          c.str('revoked_by', 255, true),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'oidc_signing_keys',
        columns: [
          { ...c.str('kid', 64), isPrimary: true },
          c.str('alg', 16),
          c.json('public_jwk'),
          c.json('sealed_private_jwk'),
          c.time('created_at'),
          c.time('retired_at', true),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'account_domains',
        columns: [
          // lowercase ASCII (IDNA): one spelling per domain, so the key is case-insensitive by construction
          { ...c.str('domain', 253), isPrimary: true },
          c.id('account_id'),
          c.time('created_at'),
          c.str('created_by'),
        ],
        indices: [index('account_domains', ['account_id'])],
        foreignKeys: [fk('account_domains', ['account_id'], 'accounts', ['id'], 'CASCADE')],
      }),
    );
    await runner.addColumn('sso_sessions', new TableColumn(c.str('oidc_session_uid', 64, true)));
    await runner.createIndex('sso_sessions', new TableIndex(index('sso_sessions', ['oidc_session_uid'])));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('sso_sessions', 'ix_sso_sessions_oidc_session_uid');
    await runner.dropColumn('sso_sessions', 'oidc_session_uid');
    for (const table of ['account_domains', 'oidc_signing_keys', 'oidc_clients', 'oidc_payloads']) {
      await runner.dropTable(table);
    }
  }
}
