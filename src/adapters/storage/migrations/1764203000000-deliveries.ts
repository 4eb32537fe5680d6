import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * Push delivery: the targets the loop sends to (webhook endpoints, SSF push streams), each
 * webhook's sealed signing secrets, one row per event per target (the queue and the delivery log
 * at once, leased by the instance sending it), and the fan-out cursor into the event feed.
 */
export class Deliveries1764203000000 implements MigrationInterface {
  name = 'Deliveries1764203000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'delivery_targets',
        columns: [
          c.id('id', true),
          c.str('kind', 32),
          // null: operator-wide, every account's events
          c.id('account_id', false, true),
          c.str('url', 2048),
          c.json('event_types', true),
          c.bool('enabled'),
          c.str('description', 200),
          c.time('created_at'),
          c.time('updated_at'),
          c.str('disabled_reason', 255, true),
          c.time('failing_since', true),
          c.time('last_success_at', true),
        ],
        indices: [index('delivery_targets', ['account_id', 'kind'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'webhook_secrets',
        columns: [
          c.id('id', true),
          c.id('target_id'),
          c.str('sealed', 512),
          c.time('created_at'),
          c.time('expires_at', true),
        ],
        indices: [index('webhook_secrets', ['target_id'])],
        foreignKeys: [fk('webhook_secrets', ['target_id'], 'delivery_targets', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'deliveries',
        columns: [
          c.id('id', true),
          c.id('target_id'),
          c.id('event_id'),
          c.time('event_position'),
          c.str('subject_key', 300),
          c.json('event'),
          c.str('status', 16),
          { name: 'attempts', type: 'integer', isNullable: false, default: 0 },
          c.time('created_at'),
          c.time('next_attempt_at'),
          c.time('lease_until', true),
          c.id('lease_token', false, true),
          c.time('last_attempt_at', true),
          { name: 'last_status', type: 'integer', isNullable: true },
          c.str('last_error', 500, true),
          c.time('delivered_at', true),
        ],
        indices: [
          { ...index('deliveries', ['target_id', 'event_id']), isUnique: true },
          // the claim: due pending deliveries, oldest event first
          index('deliveries', ['status', 'next_attempt_at']),
          // order per subject: is an earlier delivery of this subject still pending?
          index('deliveries', ['target_id', 'subject_key', 'status', 'event_position']),
          // the log and replay
          index('deliveries', ['target_id', 'event_position']),
          index('deliveries', ['lease_token']),
        ],
        foreignKeys: [fk('deliveries', ['target_id'], 'delivery_targets', ['id'], 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'delivery_cursors',
        columns: [{ ...c.str('name', 32), isPrimary: true }, c.time('position')],
      }),
    );
    await runner.query("INSERT INTO delivery_cursors (name, position) VALUES ('fan-out', 0)");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('delivery_cursors');
    await runner.dropTable('deliveries');
    await runner.dropTable('webhook_secrets');
    await runner.dropTable('delivery_targets');
  }
}
