import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns, fk, index } from './schema-helpers';

/**
 * The change feed's outbox (docs/events.md). Events are written with the change, with the account's
 * next seq from `event_counters` (a row lock per account), and without a position; the sequencer
 * (one row in `event_sequencer`, locked while it works) gives committed events their positions.
 */
export class Events1764200000000 implements MigrationInterface {
  name = 'Events1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'events',
        columns: [
          c.serial('row_id'),
          c.id('id'),
          c.id('account_id'),
          { name: 'seq', type: 'bigint', isNullable: false },
          { name: 'position', type: 'bigint', isNullable: true },
          c.str('type', 64),
          c.int('version'),
          c.time('occurred_at'),
          c.str('subject_type', 32),
          c.str('subject_id'),
          c.str('subject_email', 320, true),
          c.json('data_json'),
        ],
        indices: [
          new TableIndex({ name: 'ux_events_id', columnNames: ['id'], isUnique: true }),
          new TableIndex({ name: 'ux_events_position', columnNames: ['position'], isUnique: true }),
          new TableIndex({
            name: 'ux_events_account_id_seq',
            columnNames: ['account_id', 'seq'],
            isUnique: true,
          }),
          index('events', ['account_id', 'position']),
          index('events', ['occurred_at']),
        ],
        foreignKeys: [fk('events', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'event_counters',
        columns: [
          { ...c.id('account_id'), isPrimary: true },
          { name: 'last_seq', type: 'bigint', isNullable: false },
        ],
        foreignKeys: [fk('event_counters', ['account_id'], 'accounts', ['id'])],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'event_sequencer',
        columns: [
          c.int('id', true),
          { name: 'last_position', type: 'bigint', isNullable: false },
          c.time('updated_at'),
        ],
      }),
    );
    await runner.query('INSERT INTO event_sequencer (id, last_position, updated_at) VALUES (1, 0, 0)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['event_sequencer', 'event_counters', 'events']) await runner.dropTable(table);
  }
}
