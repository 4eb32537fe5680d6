import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Shared Signals: each account's event streams (the receiver's settings, the push endpoint's
 * authorization header sealed, the feed position the stream has read up to), and each stream's
 * SETs waiting to be polled or pushed, in arrival order, one per jti.
 */
export class SsfStreams1764260000000 implements MigrationInterface {
  name = 'SsfStreams1764260000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'ssf_streams',
        columns: [
          c.id('id', true),
          c.id('account_id'),
          c.json('audience'),
          c.json('events_requested'),
          c.str('delivery_method', 8),
          c.str('endpoint_url', 2048, true),
          c.json('authorization_sealed', true),
          c.str('subject_format', 8),
          c.str('description', 1024, true),
          c.str('status', 16),
          c.str('status_reason', 512, true),
          c.time('feed_position'),
          c.time('created_at'),
          c.time('updated_at'),
          c.time('last_verification_at', true),
        ],
        indices: [index('ssf_streams', ['account_id'])],
        foreignKeys: [fk('ssf_streams', ['account_id'], 'accounts', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ssf_stream_sets',
        columns: [c.serial('ordinal'), c.id('stream_id'), c.str('jti', 64), c.json('claims')],
        uniques: [new TableUnique({ name: 'uq_ssf_stream_sets_jti', columnNames: ['stream_id', 'jti'] })],
        indices: [index('ssf_stream_sets', ['stream_id', 'ordinal'])],
        foreignKeys: [fk('ssf_stream_sets', ['stream_id'], 'ssf_streams', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('ssf_stream_sets');
    await runner.dropTable('ssf_streams');
  }
}
