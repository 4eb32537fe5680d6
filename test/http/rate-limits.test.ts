import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import { createAccount, PUBLIC_URL, startRoster, type TestRoster } from '../support/roster';
import { TestIdp } from '../support/test-idp';

/**
 * Two app instances on one database (each its own DataSource, pool and memory) share the rate
 * limits: refused credentials per client address, and requests per credential. Each test speaks
 * from an address of its own through X-Forwarded-For, which the default TRUST_PROXY believes
 * from a loopback peer (supertest's).
 */
const limits = { RATE_LIMIT_AUTH_FAILURES: '3', RATE_LIMIT_REQUESTS_PER_TOKEN: '5' };

let a: TestRoster;
let b: Roster;
let idp: TestIdp;
beforeAll(async () => {
  a = await startRoster(limits);
  b = await compose(
    loadConfig({ DATABASE_URL: a.database.url, PUBLIC_URL, LOG_LEVEL: 'silent', ...limits }),
    { logger: createLogger('silent') },
  );
  idp = await TestIdp.start('okta');
});
afterAll(async () => {
  await b.close();
  await a.stop();
});

let addresses = 0;
/** A client address no other test uses. */
const newAddress = () => `203.0.113.${++addresses}`;

const scimGet = (app: Roster, token: string, from: string) =>
  request(app.app)
    .get('/scim/v2/Users?count=1')
    .set({ Authorization: `Bearer ${token}`, 'X-Forwarded-For': from });
const apiGet = (app: Roster, key: string, from: string) =>
  request(app.app)
    .get('/api/v1/account')
    .set({ Authorization: `Bearer ${key}`, 'X-Forwarded-For': from });

function expectLimited(res: request.Response) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('refused credentials, counted per client address across instances', () => {
  test('SCIM bearer tokens: the 4th refusal, on either instance, is a SCIM 429; a valid token still works', async () => {
    const account = await createAccount(a);
    const from = newAddress();
    expect((await scimGet(a, 'rst_wrong1', from)).status).toBe(401);
    expect((await scimGet(b, 'rst_wrong2', from)).status).toBe(401);
    expect((await scimGet(a, 'rst_wrong3', from)).status).toBe(401);
    const fourth = await scimGet(b, 'rst_wrong4', from);
    expectLimited(fourth);
    expect(fourth.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(fourth.body).toMatchObject({ status: '429', detail: expect.stringMatching(/refused/) });
    expectLimited(await scimGet(a, 'rst_wrong5', from));
    // Another address is not affected, and a valid credential is never refused for others' failures.
    expect((await scimGet(a, 'rst_wrong6', newAddress())).status).toBe(401);
    expect((await scimGet(b, account.token, from)).status).toBe(200);
    // The count lives in the database both instances use.
    const rows = await a.database.query('SELECT * FROM rate_limits');
    expect(rows.find((r) => r.key === `auth-failures:${from}`)).toMatchObject({ points: 5 });
  });

  test('API keys, support secrets and invitation secrets count in the same bucket; 429 is the API error shape', async () => {
    const from = newAddress();
    expect((await apiGet(a, 'rak_wrong', from)).status).toBe(401);
    expect((await apiGet(b, 'rsp_wrong', from)).status).toBe(401);
    const invitation = await request(a.app)
      .post('/api/v1/invitations/accept')
      .set('X-Forwarded-For', from)
      .send({ secret: 'rin_wrong' });
    expect(invitation.status).toBe(404);
    const limited = await request(b.app)
      .post('/api/v1/invitations/accept')
      .set('X-Forwarded-For', from)
      .send({ secret: 'rin_wrong2' });
    expectLimited(limited);
    expect(limited.body).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/try again in \d+ s/) },
    });
    expectLimited(await apiGet(a, 'rak_wrong2', from));
  });

  test('the SAML ACS: refused responses count, and past the limit the page says to wait (429)', async () => {
    const account = await createAccount(a);
    await a.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, {});
    const from = newAddress();
    const post = (app: Roster, n: number) =>
      request(app.app)
        .post(`/sso/${account.accountId}/acs`)
        .set('X-Forwarded-For', from)
        .type('form')
        .send({ SAMLResponse: Buffer.from(`<not-saml n="${n}"/>`).toString('base64') });
    for (const [app, n] of [
      [a, 1],
      [b, 2],
      [a, 3],
    ] as const)
      expect((await post(app, n)).status).toBe(403);
    const limited = await post(b, 4);
    expectLimited(limited);
    expect(limited.headers['content-type']).toMatch(/text\/html/);
    expect(limited.text).toContain('data-reason="rate_limited"');
  });

  test('with TRUST_PROXY=false a client cannot escape the limit by inventing X-Forwarded-For addresses', async () => {
    const strict = await compose(
      loadConfig({
        DATABASE_URL: a.database.url,
        PUBLIC_URL,
        LOG_LEVEL: 'silent',
        TRUST_PROXY: 'false',
        ...limits,
      }),
      { logger: createLogger('silent') },
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await scimGet(strict, 'rst_wrong', newAddress())).status);
      expect(statuses).toContain(429);
    } finally {
      await strict.close();
    }
  });
});

describe('requests per credential, counted across instances', () => {
  test('a SCIM token gets 5 requests in the window in all, then 429 on both instances; another token is unaffected', async () => {
    const account = await createAccount(a);
    const other = await a.services.tokens.issue(account.operator, 'other');
    const from = newAddress();
    const statuses = [];
    for (const app of [a, b, a, b, a]) statuses.push((await scimGet(app, account.token, from)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expectLimited(await scimGet(b, account.token, from));
    expectLimited(await scimGet(a, account.token, from));
    expect((await scimGet(a, other.secret, from)).status).toBe(200);
  });

  test('an API key likewise, in the API error shape', async () => {
    const account = await createAccount(a);
    const { secret } = await a.services.apiKeys.issueService(account.operator);
    const from = newAddress();
    for (const app of [a, b, a, b, a]) expect((await apiGet(app, secret, from)).status).toBe(200);
    const limited = await apiGet(b, secret, from);
    expectLimited(limited);
    expect(limited.body.error.code).toBe('rate_limited');
  });
});

test('a limit lifts when its window ends', async () => {
  const short = { RATE_LIMIT_AUTH_FAILURES: '1', RATE_LIMIT_WINDOW_SECONDS: '1' };
  const roster = await startRoster(short);
  try {
    const from = newAddress();
    expect((await scimGet(roster, 'rst_wrong', from)).status).toBe(401);
    expectLimited(await scimGet(roster, 'rst_wrong', from));
    await new Promise((r) => setTimeout(r, 1100));
    expect((await scimGet(roster, 'rst_wrong', from)).status).toBe(401);
  } finally {
    await roster.stop();
  }
});
