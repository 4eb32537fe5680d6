import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type ScimClient,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { sessionCookieOf } from '../support/sso-session';
import { TestIdp } from '../support/test-idp';

/** Roster's clock, moved by the tests (never slept on); the test IdP signs with the same time. */
let now = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => now };
const minute = 60_000;
const hour = 60 * minute;

let roster: TestRoster;
let idp: TestIdp;
beforeAll(async () => {
  roster = await startRoster({}, { clock });
  idp = await TestIdp.start('okta');
});
afterAll(() => roster.stop());

let counter = 0;
interface Setup {
  account: TestAccount;
  scim: ScimClient;
  /** An Admin's API key (bearer), for the admin API without a browser. */
  adminKey: string;
  person(role: string | null): Promise<{ id: string; userName: string }>;
  /** Signs `userName` in through the ACS; the response (303) and its cookie pair. */
  signIn(userName: string, relayState?: string): Promise<{ res: request.Response; cookie: string }>;
  home(cookie: string): request.Test;
  me(cookie: string): request.Test;
  logout(cookie: string, csrf?: string): request.Test;
}

async function setUp(logoutUrl?: string): Promise<Setup> {
  const account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml([], logoutUrl) });
  const base = `${PUBLIC_URL}/sso/${account.accountId}`;
  const scim = scimClient(roster, account.token);
  const person = async (role: string | null) => {
    counter += 1;
    const userName = `member${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (role) await roster.services.roles.assign(account.operator, id, role);
    return { id, userName };
  };
  const admin = await person('admin');
  const adminKey = (await roster.services.apiKeys.issueForMember(account.operator, admin.userName)).secret;
  const app = request(roster.app);
  return {
    account,
    scim,
    adminKey,
    person,
    signIn: async (userName, relayState) => {
      const response = idp.response({
        nameId: userName,
        acsUrl: `${base}/acs`,
        audience: `${base}/metadata`,
        now,
      });
      const res = await app
        .post(`/sso/${account.accountId}/acs`)
        .type('form')
        .send({ SAMLResponse: response, ...(relayState ? { RelayState: relayState } : {}) });
      expect(res.status).toBe(303);
      const cookie = sessionCookieOf(res);
      if (!cookie) throw new Error('no session cookie');
      return { res, cookie };
    },
    home: (cookie) => app.get(`/sso/${account.accountId}/home`).set('Cookie', cookie),
    me: (cookie) => app.get('/api/v1/me').set('Cookie', cookie),
    logout: (cookie, csrf) =>
      app
        .post(`/sso/${account.accountId}/logout`)
        .set('Cookie', cookie)
        .type('form')
        .send(csrf ? { csrf } : {}),
  };
}

async function csrfOf(s: Setup, cookie: string): Promise<string> {
  return (await s.me(cookie).expect(200)).body.session.csrfToken as string;
}

async function auditActions(
  s: Setup,
  limit = 5,
): Promise<{ action: string; after: Record<string, unknown> }[]> {
  return (await roster.services.audit.list(s.account.operator, { limit })).events as never;
}

describe('signing in starts a session', () => {
  test('the cookie is HttpOnly, Secure (https PUBLIC_URL), SameSite=Lax, Path=/; then on to the landing page', async () => {
    const s = await setUp();
    const { userName } = await s.person('manager');
    const { res, cookie } = await s.signIn(userName);
    expect(res.headers.location).toBe(`/sso/${s.account.accountId}/home`);
    const header = String(([] as string[]).concat(res.headers['set-cookie'])[0]);
    expect(header).toMatch(/^roster_session=rss_[A-Za-z0-9_-]+;/);
    expect(header).toMatch(/; HttpOnly/i);
    expect(header).toMatch(/; Secure/i);
    expect(header).toMatch(/; SameSite=Lax/i);
    expect(header).toMatch(/; Path=\//);
    const home = await s.home(cookie).expect(200);
    expect(home.text).toContain(`<strong id="user">${userName}</strong>`);
    expect(home.text).toContain('<strong id="role">Manager</strong>');
    expect(home.text).toMatch(/<form id="logout" method="post" action="\/sso\/[^"]+\/logout">/);
    expect((await auditActions(s, 1))[0]).toMatchObject({
      action: 'sso.session_started',
      after: { mfa: 'not_required' },
    });
  });

  test('a same-origin RelayState is where the browser goes next', async () => {
    const s = await setUp();
    const { userName } = await s.person('analyst');
    const { res } = await s.signIn(userName, '/reports?q=1');
    expect(res.headers.location).toBe('/reports?q=1');
  });

  test('the database keeps only a digest of the cookie value', async () => {
    const s = await setUp();
    const { userName, id } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const secret = cookie.split('=')[1];
    const rows = (await roster.dataSource.query('SELECT * FROM sso_sessions WHERE user_id = ?', [
      id,
    ])) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  test('with an http PUBLIC_URL the cookie is not Secure', async () => {
    const plain = await startRoster({ PUBLIC_URL: 'http://roster.local' }, { clock });
    try {
      const account = await createAccount(plain);
      await plain.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() });
      const id = (
        await scimClient(plain, account.token).post('/Users', aUser('plain@example.test')).expect(201)
      ).body.id as string;
      await plain.services.roles.assign(account.operator, id, 'analyst');
      const base = `http://roster.local/sso/${account.accountId}`;
      const res = await request(plain.app)
        .post(`/sso/${account.accountId}/acs`)
        .type('form')
        .send({
          SAMLResponse: idp.response({
            nameId: 'plain@example.test',
            acsUrl: `${base}/acs`,
            audience: `${base}/metadata`,
            now,
          }),
        })
        .expect(303);
      const header = String(([] as string[]).concat(res.headers['set-cookie'])[0]);
      expect(header).toMatch(/; HttpOnly/i);
      expect(header).not.toMatch(/; Secure/i);
    } finally {
      await plain.stop();
    }
  });
});

describe('GET /api/v1/me', () => {
  test('with the cookie: user, account, role, permissions, MFA at login and the CSRF token', async () => {
    const s = await setUp();
    const { userName, id } = await s.person('admin');
    const { cookie } = await s.signIn(userName);
    const me = (await s.me(cookie).expect(200)).body;
    expect(me).toMatchObject({
      user: { id, userName },
      account: { id: s.account.accountId },
      role: { key: 'admin', name: 'Admin' },
      session: {
        mfa: { method: 'not_required', detail: null },
        started: new Date(now).toISOString(),
        idleExpires: new Date(now + 8 * hour).toISOString(),
        absoluteExpires: new Date(now + 24 * hour).toISOString(),
      },
    });
    expect(me.permissions).toContain('sso.configure');
    expect(me.session.csrfToken).toMatch(/^[0-9a-f]{64}$/);
  });

  test('with a member API key: the same, without a session', async () => {
    const s = await setUp();
    const me = (await apiClient(roster, s.adminKey).get('/me').expect(200)).body;
    expect(me).toMatchObject({ role: { key: 'admin' }, session: null });
  });

  test('without credentials, or with a made-up cookie: 401', async () => {
    await request(roster.app).get('/api/v1/me').expect(401);
    const res = await request(roster.app)
      .get('/api/v1/me')
      .set('Cookie', `roster_session=rss_${'A'.repeat(43)}`)
      .expect(401);
    expect(res.body.error.code).toBe('session.invalid');
  });
});

describe('lifetimes, by the clock', () => {
  test('idle: 8 hours without a request ends the session; each use pushes the end forward', async () => {
    const s = await setUp();
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const start = now;
    try {
      now = start + 7 * hour;
      await s.me(cookie).expect(200);
      now = start + 14 * hour; // 7 h after the last use
      await s.me(cookie).expect(200);
      now = start + 22 * hour + minute; // 8 h 1 min after the last use
      await s.me(cookie).expect(401);
      expect((await s.home(cookie).expect(401)).text).toMatch(/Please sign in/);
    } finally {
      now = start;
    }
  });

  test('absolute: the account sets idle 60 and absolute 120 minutes; use does not extend past the absolute end', async () => {
    const s = await setUp();
    const admin = apiClient(roster, s.adminKey);
    const set = await admin
      .put('/sso/session-lifetimes', { idleMinutes: 60, absoluteMinutes: 120 })
      .expect(200);
    expect(set.body.idp.sessions).toEqual({ idleMinutes: 60, absoluteMinutes: 120, custom: true });
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const start = now;
    try {
      for (const at of [50, 100, 119]) {
        now = start + at * minute;
        await s.me(cookie).expect(200);
      }
      now = start + 120 * minute;
      await s.me(cookie).expect(401);
    } finally {
      now = start;
    }
  });

  test('lifetimes are checked: idle longer than absolute is refused, and only Admins set them', async () => {
    const s = await setUp();
    const refused = await apiClient(roster, s.adminKey)
      .put('/sso/session-lifetimes', { idleMinutes: 600, absoluteMinutes: 60 })
      .expect(400);
    expect(refused.body.error.code).toBe('sso.session_lifetime_invalid');
    const { userName } = await s.person('analyst');
    const key = (await roster.services.apiKeys.issueForMember(s.account.operator, userName)).secret;
    await apiClient(roster, key)
      .put('/sso/session-lifetimes', { idleMinutes: null, absoluteMinutes: null })
      .expect(403);
  });
});

describe('logout', () => {
  test("without an IdP logout URL: ends the session and shows Roster's signed-out page", async () => {
    const s = await setUp();
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const csrf = await csrfOf(s, cookie);
    // The landing page's form carries the same token.
    expect((await s.home(cookie)).text).toContain(`name="csrf" value="${csrf}"`);
    const res = await s.logout(cookie, csrf).expect(303);
    expect(res.headers.location).toBe(`/sso/${s.account.accountId}/signed-out`);
    expect(String(res.headers['set-cookie'])).toMatch(/roster_session=;.*Expires=Thu, 01 Jan 1970/);
    await s.me(cookie).expect(401);
    const page = await request(roster.app).get(res.headers.location).expect(200);
    expect(page.text).toMatch(/You are signed out/);
    expect((await auditActions(s, 1))[0]).toMatchObject({
      action: 'sso.session_ended',
      after: { reason: 'logout' },
    });
  });

  test("with the IdP's SingleLogoutService in its metadata: on to the IdP's logout URL", async () => {
    const s = await setUp('https://idp.example/logout');
    expect((await apiClient(roster, s.adminKey).get('/sso').expect(200)).body.idp.logoutUrl).toBe(
      'https://idp.example/logout',
    );
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const res = await s.logout(cookie, await csrfOf(s, cookie)).expect(303);
    expect(res.headers.location).toBe('https://idp.example/logout');
    await s.me(cookie).expect(401);
  });

  test('a logout posted without the CSRF token (from another site) is refused; the session goes on', async () => {
    const s = await setUp();
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const res = await s.logout(cookie).expect(403);
    expect(res.text).toContain('data-reason="csrf"');
    await s.me(cookie).expect(200);
  });
});

describe('the admin API with the session cookie', () => {
  test('writes need X-CSRF-Token: refused without it or with a wrong one, accepted with it', async () => {
    const s = await setUp();
    const { userName } = await s.person('admin');
    const { cookie } = await s.signIn(userName);
    const put = () =>
      request(roster.app)
        .put('/api/v1/sso/session-lifetimes')
        .set('Cookie', cookie)
        .send({ idleMinutes: 30, absoluteMinutes: 60 });
    const missing = await put().expect(403);
    expect(missing.body.error.code).toBe('csrf.invalid');
    await put().set('X-CSRF-Token', 'f'.repeat(64)).expect(403);
    const csrf = await csrfOf(s, cookie);
    const ok = await put().set('X-CSRF-Token', csrf).expect(200);
    expect(ok.body.idp.sessions).toMatchObject({ idleMinutes: 30, absoluteMinutes: 60 });
    // The authorize hot path (mounted ahead of the router) checks the same way.
    const ask = () =>
      request(roster.app)
        .post('/api/v1/authorize')
        .set('Cookie', cookie)
        .send({ user: userName, permission: 'sso.configure' });
    expect((await ask().expect(403)).body.error.code).toBe('csrf.invalid');
    expect((await ask().set('X-CSRF-Token', csrf).expect(200)).body.allowed).toBe(true);
    // Reads need no token; bearer API keys never do.
    await request(roster.app).get('/api/v1/sso').set('Cookie', cookie).expect(200);
    await apiClient(roster, s.adminKey)
      .put('/sso/session-lifetimes', { idleMinutes: null, absoluteMinutes: null })
      .expect(200);
  });

  test("the session acts with its member's permissions", async () => {
    const s = await setUp();
    const { userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    const res = await request(roster.app)
      .put('/api/v1/sso/session-lifetimes')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', await csrfOf(s, cookie))
      .send({ idleMinutes: 30, absoluteMinutes: 60 })
      .expect(403);
    expect(res.body.error.code).not.toBe('csrf.invalid');
  });

  test('the OpenAPI document describes the cookie', async () => {
    const doc = (await request(roster.app).get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'roster_session',
    });
    expect(doc.security).toEqual([{ apiKey: [] }, { sessionCookie: [] }]);
    expect(doc.paths['/me'].get).toBeDefined();
  });
});

describe('deprovisioning ends sessions at once', () => {
  test('deactivated over SCIM: the very next request is refused, the landing page asks to sign in', async () => {
    const s = await setUp();
    const { id, userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    await s.me(cookie).expect(200);
    await s.scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
    await s.me(cookie).expect(401);
    const home = await s.home(cookie).expect(401);
    expect(home.text).toMatch(/Please sign in/);
    expect(await roster.dataSource.query('SELECT id FROM sso_sessions WHERE user_id = ?', [id])).toEqual([]);
    const ended = (await auditActions(s, 10)).find((e) => e.action === 'sso.session_ended');
    expect(ended?.after).toEqual({ reason: 'deactivated' });
  });

  test('Entra removes them from the last mapped group: refused on the very next request', async () => {
    const s = await setUp();
    const { id, userName } = await s.person(null);
    const group = (
      await s.scim
        .post('/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'Roster Analysts',
          members: [{ value: id }],
        })
        .expect(201)
    ).body.id as string;
    await apiClient(roster, s.adminKey)
      .post('/mappings', { group: { by: 'id', value: group }, role: 'analyst' })
      .expect(201);
    const { cookie } = await s.signIn(userName);
    await s.me(cookie).expect(200);
    await s.scim
      .patch(`/Groups/${group}`, patchOp({ op: 'remove', path: `members[value eq "${id}"]` }))
      .expect(204);
    await s.me(cookie).expect(401);
    expect((await s.home(cookie).expect(401)).text).toMatch(/Please sign in/);
    const ended = (await auditActions(s, 10)).find((e) => e.action === 'sso.session_ended');
    expect(ended?.after).toEqual({ reason: 'lost_role' });
  });

  test('deleted over SCIM: the session is gone with the user', async () => {
    const s = await setUp();
    const { id, userName } = await s.person('analyst');
    const { cookie } = await s.signIn(userName);
    await s.scim.delete(`/Users/${id}`).expect(204);
    await s.me(cookie).expect(401);
    expect(await roster.dataSource.query('SELECT id FROM sso_sessions WHERE user_id = ?', [id])).toEqual([]);
  });
});

describe('one account at a time', () => {
  test("a session for one account does not open another account's landing page", async () => {
    const a = await setUp();
    const b = await setUp();
    const { userName } = await a.person('analyst');
    const { cookie } = await a.signIn(userName);
    await b.home(cookie).expect(401);
    // Nor does the other account's logout end it.
    await b.logout(cookie).expect(303);
    await a.me(cookie).expect(200);
  });
});
