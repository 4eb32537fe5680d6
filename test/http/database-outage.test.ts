import Database from 'better-sqlite3';
import request from 'supertest';
import { createLogger } from '../../src/adapters/http/logger';
import { compose, type Roster } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import { freshDatabase, testDialect, type TestDatabase } from '../support/database';
import { aUser, createAccount, PUBLIC_URL, scimClient, type TestAccount } from '../support/roster';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { TestIdp } from '../support/test-idp';

/**
 * The database goes away and comes back, for real: on MariaDB the server reaches it through a TCP
 * proxy that drops every connection and refuses new ones; on SQLite another connection holds the
 * file's write lock (a stuck CLI, a backup). Requests get 503 with Retry-After (Okta and Entra
 * retry), never 500; the process keeps answering; and once the database is back, the server
 * works again without a restart.
 */
interface Outage {
  /** What the server's DATABASE_URL is. */
  url: string;
  begin(): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
}

async function mariadbOutage(database: TestDatabase): Promise<Outage> {
  const target = new URL(database.url);
  const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const url = new URL(database.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { url: url.toString(), begin: proxy.cut, end: proxy.restore, close: proxy.close };
}

async function sqliteOutage(database: TestDatabase): Promise<Outage> {
  let locker: Database.Database | null = null;
  const end = async () => {
    locker?.exec('ROLLBACK');
    locker?.close();
    locker = null;
  };
  return {
    url: database.url,
    begin: async () => {
      locker = new Database(database.url.slice('sqlite:'.length), { timeout: 5000 });
      locker.exec('BEGIN IMMEDIATE');
    },
    end,
    close: end,
  };
}

let database: TestDatabase;
let outage: Outage;
let roster: Roster;
let account: TestAccount;
let idp: TestIdp;

beforeAll(async () => {
  database = await freshDatabase();
  outage = testDialect() === 'mariadb' ? await mariadbOutage(database) : await sqliteOutage(database);
  roster = await compose(loadConfig({ DATABASE_URL: outage.url, PUBLIC_URL, LOG_LEVEL: 'silent' }), {
    logger: createLogger('silent'),
  });
  account = await createAccount(roster);
  idp = await TestIdp.start('okta');
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() });
});
afterAll(async () => {
  await outage.close();
  await roster.close();
  await database.drop();
});

test('while the database is unreachable: 503 with Retry-After on SCIM, /api/v1 and the SSO pages, the process answers; then it recovers by itself', async () => {
  const scim = scimClient(roster, account.token);
  const { secret: adminKey } = await roster.services.apiKeys.issueForMember(
    account.operator,
    (await roster.services.members.get(account.operator, account.ownerId)).userName,
  );
  await outage.begin();
  try {
    const during = Promise.all([
      scim.post('/Users', aUser('outage@example.test')),
      request(roster.app)
        .put('/api/v1/account/default-role')
        .set('Authorization', `Bearer ${adminKey}`)
        .send({ role: 'analyst' }),
      request(roster.app).get(`/sso/${account.accountId}/login`),
    ]);
    const started = Date.now();
    const health = await request(roster.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    // Readiness tells the load balancer; SQLite in WAL mode still serves reads under a write lock.
    const ready = await request(roster.app).get('/readyz');
    expect(ready.status).toBe(database.dialect === 'mariadb' ? 503 : 200);
    const [scimRes, apiRes, ssoRes] = await during;

    expect(scimRes.status).toBe(503);
    expect(scimRes.headers['retry-after']).toBe('10');
    expect(scimRes.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(scimRes.body).toMatchObject({
      status: '503',
      detail: expect.stringMatching(/database is unavailable/),
    });

    expect(apiRes.status).toBe(503);
    expect(apiRes.headers['retry-after']).toBe('10');
    expect(apiRes.body.error.code).toBe('database.unavailable');

    expect(ssoRes.status).toBe(503);
    expect(ssoRes.headers['retry-after']).toBe('10');
    expect(ssoRes.text).toContain('data-reason="unavailable"');
  } finally {
    await outage.end();
  }
  // Back: the same requests succeed, and the refused ones had changed nothing.
  expect((await scim.post('/Users', aUser('outage@example.test'))).status).toBe(201);
  const api = await request(roster.app)
    .put('/api/v1/account/default-role')
    .set('Authorization', `Bearer ${adminKey}`)
    .send({ role: 'analyst' });
  expect(api.status).toBe(200);
  expect((await request(roster.app).get(`/sso/${account.accountId}/login`)).status).toBe(302);
  expect((await request(roster.app).get('/readyz')).status).toBe(200);
});
