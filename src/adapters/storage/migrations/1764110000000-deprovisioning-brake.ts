import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { index } from './schema-helpers';

/**
 * The brake on mass deprovisioning over SCIM: an Owner's or Admin's approval lifts it until a
 * time; recent deactivations are counted from the audit log, by action and time.
 */
export class DeprovisioningBrake1764110000000 implements MigrationInterface {
  name = 'DeprovisioningBrake1764110000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'accounts',
      new TableColumn({ name: 'mass_deprovisioning_approved_until', type: 'bigint', isNullable: true }),
    );
    await runner.createIndex('audit_events', index('audit_events', ['account_id', 'action', 'occurred_at']));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('audit_events', index('audit_events', ['account_id', 'action', 'occurred_at']));
    await runner.dropColumn('accounts', 'mass_deprovisioning_approved_until');
  }
}
