import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrations, optionsFor } from '../../src/adapters/storage/data-source';
import { convertCollation } from '../../src/adapters/storage/migrations/1764300000000-exact-text';
import { freshDatabase, testDialect, type TestDatabase } from '../support/database';

/**
 * A database made by the earlier migrations (padding collation on MariaDB, norms lowercased with
 * toLowerCase and untrimmed) is brought to exact comparison, and its SCIM documents are indexed.
 */
let database: TestDatabase;
let dataSource: DataSource;
const accountId = randomUUID();
const kelvinId = randomUUID();
const titledId = randomUUID();
const groupId = randomUUID();

beforeAll(async () => {
  database = await freshDatabase();
  const before = migrations.findIndex((m) => m.name === 'ExactText1764300000000');
  dataSource = new DataSource({ ...optionsFor(database.url), migrations: migrations.slice(0, before) });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  if (testDialect() === 'mariadb') {
    // As every deployment made before this change has them.
    const runner = dataSource.createQueryRunner();
    await convertCollation(runner, 'utf8mb4_bin');
    await runner.release();
  }
  const now = Date.now();
  await dataSource.query(
    "INSERT INTO accounts (id, name, status, created_at, version) VALUES (?, 'Old', 'active', ?, 1)",
    [accountId, now],
  );
  const user = (id: string, userName: string, norm: string, profile: object, externalId: string | null) =>
    dataSource.query(
      `INSERT INTO users (id, account_id, user_name, user_name_norm, external_id, active, display_name,
         display_name_norm, emails, profile, version, created_at, last_modified)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 1, ?, ?)`,
      [
        id,
        accountId,
        userName,
        norm,
        externalId,
        ' Ops ',
        ' ops ',
        JSON.stringify([{ value: userName, type: 'work', primary: true }]),
        JSON.stringify(profile),
        now,
        now,
      ],
    );
  // Lowercased the old way: KELVIN SIGN became "k".
  await user(kelvinId, '\u212Aate@example.test', 'kate@example.test', {}, 'abc');
  await user(
    titledId,
    'titled@example.test',
    'titled@example.test',
    { title: 'Chief Tester', phoneNumbers: [{ value: '555', type: 'work' }] },
    null,
  );
  await dataSource.query(
    `INSERT INTO user_emails (user_id, position, account_id, value_norm, type_norm, is_primary) VALUES (?, 0, ?, ?, 'work', 1)`,
    [kelvinId, accountId, 'kate@example.test'],
  );
  await dataSource.query(
    `INSERT INTO directory_groups (id, account_id, display_name, display_name_norm, external_id, version, created_at, last_modified)
     VALUES (?, ?, ' Sales ', ' sales ', NULL, 1, ?, ?)`,
    [groupId, accountId, now, now],
  );
  await dataSource.destroy();
  dataSource = new DataSource(optionsFor(database.url));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
});
afterAll(async () => {
  await dataSource.destroy();
  await database.drop();
});

test('no column pads with spaces any more: "abc  " is not "abc"', async () => {
  const rows = await dataSource.query('SELECT COUNT(*) AS n FROM users WHERE external_id = ?', ['abc  ']);
  expect(Number(rows[0].n)).toBe(0);
  if (testDialect() === 'mariadb') {
    const padded = await dataSource.query(
      `SELECT COUNT(*) AS n FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME <> 'utf8mb4_nopad_bin'
          AND TABLE_NAME <> 'migrations'`,
    );
    expect(Number(padded[0].n)).toBe(0);
  }
});

test('norms are recomputed: trimmed, and KELVIN SIGN no longer folded into "k"', async () => {
  const [user] = await dataSource.query(
    'SELECT user_name_norm, display_name_norm, primary_email_norm FROM users WHERE id = ?',
    [kelvinId],
  );
  expect(user).toEqual({
    user_name_norm: '\u212Aate@example.test',
    display_name_norm: 'ops',
    primary_email_norm: '\u212Aate@example.test',
  });
  const [email] = await dataSource.query('SELECT value_norm FROM user_emails WHERE user_id = ?', [kelvinId]);
  expect(email.value_norm).toBe('\u212Aate@example.test');
  const [group] = await dataSource.query('SELECT display_name_norm FROM directory_groups WHERE id = ?', [
    groupId,
  ]);
  expect(group.display_name_norm).toBe('sales');
});

test("existing users' documents are indexed for filters", async () => {
  const rows = await dataSource.query(
    'SELECT attr, position, value_norm FROM user_attribute_values WHERE user_id = ? ORDER BY attr, position',
    [titledId],
  );
  expect(rows.map((r: Record<string, unknown>) => [r.attr, Number(r.position), r.value_norm])).toEqual([
    ['phoneNumbers', 0, ''],
    ['phoneNumbers.primary', 0, '0'],
    ['phoneNumbers.type', 0, 'work'],
    ['phoneNumbers.value', 0, '555'],
    ['title', 0, 'chief tester'],
  ]);
});
