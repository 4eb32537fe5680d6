import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './schema-helpers';

/**
 * One row per job: who holds its lease and until when, so that one instance runs a job at a time
 * (any number of instances on one database), and what its last run did.
 */
export class JobLeases1764060000000 implements MigrationInterface {
  name = 'JobLeases1764060000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'job_leases',
        columns: [
          c.str('name', 64),
          c.str('holder', 128, true),
          c.time('lease_until', true),
          c.time('last_started_at', true),
          c.time('last_finished_at', true),
          c.str('last_outcome', 1000, true),
        ].map((column, i) => (i === 0 ? { ...column, isPrimary: true } : column)),
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('job_leases');
  }
}
