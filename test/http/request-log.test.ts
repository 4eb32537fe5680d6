import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import { freshDatabase, type TestDatabase } from '../support/database';
import { aUser, createAccount, patchOp } from '../support/roster';

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

test('one JSON line per request with id, method, path, status, duration and account; never the token', async () => {
  const { token, accountId } = await createAccount(roster);
  const agent = request(roster.app);
  const created = await agent
    .post('/scim/v2/Users')
    .set('Authorization', `Bearer ${token}`)
    .send({ ...aUser('logged@example.test'), password: 'Sup3r-secret!' })
    .expect(201);
  await agent
    .patch(`/scim/v2/Users/${created.body.id}`)
    .set('Authorization', `Bearer ${token}`)
    .send(patchOp({ op: 'replace', path: 'password', value: 'An0ther-secret!' }));
  await agent.get('/scim/v2/Users').set('Authorization', 'Bearer rst_wrong-token-value').expect(401);

  const requests = lines.map((l) => JSON.parse(l)).filter((entry) => entry.msg === 'request completed');
  expect(requests).toHaveLength(3);
  expect(requests[0]).toMatchObject({
    req: { method: 'POST', path: '/scim/v2/Users' },
    res: { status: 201 },
    accountId,
  });
  expect(typeof requests[0].req.id).toBe('string');
  expect(typeof requests[0].responseTime).toBe('number');
  expect(requests[2]).toMatchObject({ res: { status: 401 } });
  const everything = lines.join('\n');
  for (const secret of [token, token.slice(4), 'rst_wrong-token-value', 'Sup3r-secret!', 'An0ther-secret!']) {
    expect(everything).not.toContain(secret);
  }
});

test('an unexpected failure is a 500 with a request id that also appears in the log', async () => {
  const { token } = await createAccount(roster);
  await roster.dataSource.query('DROP TABLE user_emails');
  const res = await request(roster.app)
    .post('/scim/v2/Users')
    .set('Authorization', `Bearer ${token}`)
    .send(aUser('boom@example.test'));
  expect(res.status).toBe(500);
  expect(res.body).toMatchObject({ status: '500', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
  const requestId = res.headers['x-request-id'];
  expect(res.body.detail).toContain(requestId);
  expect(res.body.detail).not.toMatch(/user_emails|SQL/i);
  const logged = lines
    .map((l) => JSON.parse(l))
    .filter((e) => e.level >= 50 && JSON.stringify(e).includes(requestId));
  expect(logged.length).toBeGreaterThan(0);
});
