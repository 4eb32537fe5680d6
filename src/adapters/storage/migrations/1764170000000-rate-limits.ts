import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columns } from './schema-helpers';

/**
 * The rate limiter's counters (rate-limiter-flexible's MySQL and SQLite stores, adapters/http/
 * rate-limits.ts), in the database every instance shares. The columns and their order are the
 * stores' own (`INSERT … VALUES (key, points, expire)`): created here, once, so that instances
 * starting together never race on a CREATE TABLE of their own.
 */
export class RateLimits1764170000000 implements MigrationInterface {
  name = 'RateLimits1764170000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'rate_limits',
        columns: [
          { ...c.str('key', 255), isPrimary: true },
          { name: 'points', type: 'integer', isNullable: false, default: 0 },
          c.time('expire', true),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('rate_limits');
  }
}
