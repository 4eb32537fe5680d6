import { randomUUID } from 'node:crypto';
import { uniqueViolation, isForeignKeyViolation } from '../../src/adapters/storage/db-errors';
import { createAccount, startRoster, type TestAccount, type TestRoster } from '../support/roster';

let roster: TestRoster;
let account: TestAccount;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
});
afterAll(() => roster.stop());

const now = Date.now();

function insertUser(accountId: string, userName: string, externalId: string | null = null) {
  return roster.dataSource.query(
    `INSERT INTO users (id, account_id, user_name, user_name_norm, external_id, active, emails, profile, version,
       created_at, last_modified) VALUES (?, ?, ?, ?, ?, 1, '[]', '{}', 1, ?, ?)`,
    [randomUUID(), accountId, userName, userName.toLowerCase(), externalId, now, now],
  );
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  const outcome = await work.then(
    () => ({ ok: true as const }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) throw new Error('the database accepted a row it must refuse');
  return outcome.err;
}

describe('the database itself refuses states the rules forbid', () => {
  test('migrations leave nothing pending and a second run changes nothing', async () => {
    expect(await roster.dataSource.showMigrations()).toBe(false);
    expect(await roster.dataSource.runMigrations()).toEqual([]);
  });

  test('a second Owner row for an account is refused (primary key)', async () => {
    const err = await rejection(
      roster.dataSource.query('INSERT INTO account_owners (account_id, user_id) VALUES (?, ?)', [
        account.accountId,
        account.ownerId,
      ]),
    );
    expect(uniqueViolation(err)).not.toBeNull();
  });

  test("deleting the Owner's user row is refused (foreign key RESTRICT)", async () => {
    const err = await rejection(roster.dataSource.query('DELETE FROM users WHERE id = ?', [account.ownerId]));
    expect(isForeignKeyViolation(err)).toBe(true);
  });

  test('userName is unique per account whatever its case, and free in another account', async () => {
    await insertUser(account.accountId, 'Casey@Example.test');
    const err = await rejection(insertUser(account.accountId, 'casey@example.TEST'));
    expect(uniqueViolation(err)).toContain('user_name_norm');
    const other = await createAccount(roster);
    await expect(insertUser(other.accountId, 'casey@example.test')).resolves.toBeDefined();
  });

  test('externalId is unique per account and case-exact', async () => {
    await insertUser(account.accountId, 'ext1@example.test', 'ABC');
    await expect(insertUser(account.accountId, 'ext2@example.test', 'abc')).resolves.toBeDefined();
    const err = await rejection(insertUser(account.accountId, 'ext3@example.test', 'ABC'));
    expect(uniqueViolation(err)).toContain('external_id');
  });

  test('a user row must belong to an existing account', async () => {
    const err = await rejection(insertUser(randomUUID(), 'orphan@example.test'));
    expect(isForeignKeyViolation(err)).toBe(true);
  });

  test('string comparison is case-sensitive on every database (ci attributes use _norm columns)', async () => {
    const rows = await roster.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE external_id = ?', [
      'abc',
    ]);
    expect(Number(rows[0].n)).toBe(1);
    const like = await roster.dataSource.query(
      "SELECT COUNT(*) AS n FROM users WHERE external_id LIKE 'ab%'",
    );
    expect(Number(like[0].n)).toBe(1);
  });
});
