import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import { freshDatabase, type TestDatabase } from '../support/database';
import { aUser, createAccount } from '../support/roster';

/**
 * An unexpected database error is logged with what a person needs to debug it (the error, its
 * code, the statement with its placeholders) and without the statement's values: TypeORM keeps
 * them in `parameters`, mysql2 writes them into `sql`, MariaDB quotes them in its messages.
 */
let lines: string[];
let roster: Roster;
let database: TestDatabase;

beforeAll(async () => {
  lines = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  database = await freshDatabase();
  roster = await compose(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'info' }), {
    logger: createLogger('info', sink),
  });
});
afterAll(async () => {
  await roster.close();
  await database.drop();
});

const personal = ['ann.personal', 'Zyxwvutsrq', 'E-884422'];

function expectNoPersonalData(text: string) {
  for (const value of personal) expect(text).not.toContain(value);
}

test('a SCIM write that fails in the database: a 500 with the request id, logged without the values', async () => {
  const { token } = await createAccount(roster);
  // A schema broken behind Roster's back makes the next user INSERT fail as no input can.
  await roster.dataSource.query('ALTER TABLE users RENAME COLUMN employee_number TO employee_number_gone');
  try {
    const res = await request(roster.app)
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${token}`)
      .send(
        aUser('ann.personal@example.test', {
          name: { givenName: 'Ann', familyName: 'Zyxwvutsrq' },
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'E-884422' },
        }),
      );
    expect(res.status).toBe(500);
    const failure = lines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'SCIM request failed');
    expect(failure).toBeDefined();
    expect(failure.requestId).toBe(res.headers['x-request-id']);
    expect(failure.err.message).toMatch(/employee_number/);
    expect(failure.err.code).toEqual(expect.any(String));
    expect(failure.err.parameters).toBeUndefined();
    expectNoPersonalData(lines.join('\n'));
  } finally {
    await roster.dataSource.query('ALTER TABLE users RENAME COLUMN employee_number_gone TO employee_number');
  }
});

test("a TypeORM QueryFailedError (a duplicate key) loses its parameters and the quoted value of the database's message", async () => {
  const insert = 'INSERT INTO rate_limits (`key`, points) VALUES (?, ?)';
  await roster.dataSource.query(insert, ['ann.personal@example.test', 1]);
  const err = await roster.dataSource.query(insert, ['ann.personal@example.test', 1]).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'QueryFailedError', parameters: ['ann.personal@example.test', 1] });
  const before = lines.length;
  roster.logger.error({ err }, 'test: unexpected database error');
  const logged = lines.slice(before).join('\n');
  expect(JSON.parse(logged).err).toMatchObject({ type: 'QueryFailedError', query: insert });
  expect(logged).toMatch(/ER_DUP_ENTRY|SQLITE_CONSTRAINT/);
  expectNoPersonalData(logged);
});
