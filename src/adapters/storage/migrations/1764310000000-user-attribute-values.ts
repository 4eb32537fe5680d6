import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { profileIndexOf } from '../../../domain/users/profile-index';
import { columns, fk, index } from './schema-helpers';

/**
 * An index of the user attributes that live only in the SCIM document (nickName, title,
 * phoneNumbers, addresses, the enterprise department, …), so that filters on them run in SQL.
 * Existing users are indexed here; from now on every user write rewrites its rows.
 */
export class UserAttributeValues1764310000000 implements MigrationInterface {
  name = 'UserAttributeValues1764310000000';

  async up(runner: QueryRunner): Promise<void> {
    const c = columns(runner);
    await runner.createTable(
      new Table({
        name: 'user_attribute_values',
        columns: [
          c.id('user_id', true),
          c.id('account_id'),
          { ...c.str('attr', 64), isPrimary: true },
          c.int('position', true),
          // Text, not VARCHAR: an x509Certificates value is longer than an index key may be.
          c.json('value_norm'),
        ],
        indices: [index('user_attribute_values', ['account_id', 'attr'])],
        foreignKeys: [fk('user_attribute_values', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
    let after = '';
    for (;;) {
      const users: { id: string; account_id: string; profile: string }[] = await runner.query(
        'SELECT id, account_id, profile FROM users WHERE id > ? ORDER BY id LIMIT 500',
        [after],
      );
      if (users.length === 0) break;
      const rows = users.flatMap((user) =>
        profileIndexOf({ profile: JSON.parse(user.profile) as Record<string, unknown> }).map((row) => [
          user.id,
          user.account_id,
          row.attr,
          row.position,
          row.value,
        ]),
      );
      for (let i = 0; i < rows.length; i += 200) {
        const part = rows.slice(i, i + 200);
        await runner.query(
          `INSERT INTO user_attribute_values (user_id, account_id, attr, position, value_norm) VALUES
           ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          part.flat(),
        );
      }
      after = users[users.length - 1].id;
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('user_attribute_values');
  }
}
