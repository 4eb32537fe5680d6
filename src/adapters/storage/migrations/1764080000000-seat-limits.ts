import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** An account may have a seat limit (shared/seeds/004, "Cannot add more users"); null is unlimited. */
export class SeatLimits1764080000000 implements MigrationInterface {
  name = 'SeatLimits1764080000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'accounts',
      new TableColumn({ name: 'seat_limit', type: 'integer', isNullable: true }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('accounts', 'seat_limit');
  }
}
