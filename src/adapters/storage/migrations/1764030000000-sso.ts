import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * SAML single sign-on: each account's IdP and its signing certificates, the
 * AuthnRequest ids issued (so any instance can check InResponseTo), the assertion ids already
 * used (refusing replays until they expire), and each user's last sign-in.
 */
export class Sso1764030000000 implements MigrationInterface {
  name = 'Sso1764030000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'sso_configs',
        columns: [
          c.id('account_id', true),
          c.str('idp_entity_id', 1024),
          c.str('sso_url', 2048),
          c.bool('idp_initiated'),
          c.time('updated_at'),
        ],
        foreignKeys: [fk('sso_configs', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'sso_certificates',
        columns: [
          c.id('account_id'),
          // SHA-256 of the DER bytes, hex
          c.str('fingerprint', 64),
          c.json('pem'),
          c.str('subject', 1024),
          c.time('not_before'),
          c.time('not_after'),
        ],
        uniques: [
          new TableUnique({ name: 'uq_sso_certificates', columnNames: ['account_id', 'fingerprint'] }),
        ],
        foreignKeys: [fk('sso_certificates', ['account_id'], 'sso_configs', ['account_id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'sso_requests',
        columns: [c.id('account_id'), c.str('request_id', 128), c.time('created_at'), c.time('expires_at')],
        uniques: [new TableUnique({ name: 'uq_sso_requests', columnNames: ['account_id', 'request_id'] })],
        indices: [index('sso_requests', ['expires_at'])],
        foreignKeys: [fk('sso_requests', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'sso_assertions',
        columns: [c.id('account_id'), c.str('assertion_id', 255), c.time('expires_at')],
        uniques: [
          new TableUnique({ name: 'uq_sso_assertions', columnNames: ['account_id', 'assertion_id'] }),
        ],
        indices: [index('sso_assertions', ['expires_at'])],
        foreignKeys: [fk('sso_assertions', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'user_sign_ins',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          c.time('last_login_at'),
          // sp-initiated or idp-initiated
          c.str('last_method', 32),
        ],
        foreignKeys: [fk('user_sign_ins', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'user_sign_ins',
      'sso_assertions',
      'sso_requests',
      'sso_certificates',
      'sso_configs',
    ]) {
      await runner.dropTable(table);
    }
  }
}
