import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './schema-helpers';

/**
 * Keys the server itself uses (the MAC key of SCIM list cursors), created once and shared by every
 * instance on the database, so that a cursor one instance issued is accepted by the next.
 */
export class ServerSecrets1764180000000 implements MigrationInterface {
  name = 'ServerSecrets1764180000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'server_secrets',
        columns: [{ ...c.str('name', 64), isPrimary: true }, c.str('secret', 255), c.time('created_at')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('server_secrets');
  }
}
