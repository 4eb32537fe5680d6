import request from 'supertest';
import {
  apiClient,
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { followSignIn } from '../support/sso-session';
import { tamper, TestIdp, wrapSignature, type ResponseOptions } from '../support/test-idp';

/** Roster's clock, moved by the tests; the test IdP stamps its responses with the same time. */
const now = Date.parse('2026-11-23T12:00:00Z');
const clock = { now: () => now };

let roster: TestRoster;
let idp: TestIdp;
let otherIdp: TestIdp;
beforeAll(async () => {
  roster = await startRoster({ SSO_CLOCK_SKEW_SECONDS: '60' }, { clock });
  [idp, otherIdp] = await Promise.all([TestIdp.start('okta'), TestIdp.start('entra')]);
});
afterAll(() => roster.stop());

let counter = 0;
interface Setup {
  account: TestAccount;
  sp: { entityId: string; acsUrl: string };
  /** A signed response for `nameId`, IdP-initiated unless inResponseTo is given. */
  response(nameId: string, options?: Partial<ResponseOptions>, from?: TestIdp): string;
  post(samlResponse: string, relayState?: string): request.Test;
  user(role: string | null, extra?: Record<string, unknown>): Promise<{ id: string; userName: string }>;
  lastAudit(): Promise<{
    action: string;
    after: Record<string, unknown>;
    channel: string;
    subjectId: string;
  }>;
}

async function setUp(settings: { idpInitiated?: boolean } = {}): Promise<Setup> {
  const account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, settings);
  const base = `${PUBLIC_URL}/sso/${account.accountId}`;
  const sp = { entityId: `${base}/metadata`, acsUrl: `${base}/acs` };
  const scim = scimClient(roster, account.token);
  return {
    account,
    sp,
    response: (nameId, options = {}, from = idp) =>
      from.response({ nameId, acsUrl: sp.acsUrl, audience: sp.entityId, now, ...options }),
    post: (samlResponse, relayState) =>
      request(roster.app)
        .post(`/sso/${account.accountId}/acs`)
        .type('form')
        .send({ SAMLResponse: samlResponse, ...(relayState ? { RelayState: relayState } : {}) }),
    user: async (role, extra = {}) => {
      counter += 1;
      const userName = `person${counter}@example.test`;
      const id = (await scim.post('/Users', aUser(userName, extra)).expect(201)).body.id as string;
      if (role) await roster.services.roles.assign(account.operator, id, role);
      return { id, userName };
    },
    lastAudit: async () => {
      const { events } = await roster.services.audit.list(account.operator, { limit: 1 });
      return events[0] as never;
    },
  };
}

async function expectRefused(s: Setup, res: request.Response, reason: string, words: RegExp) {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(`data-reason="${reason}"`);
  expect(res.text).toMatch(words);
  const event = await s.lastAudit();
  expect(event).toMatchObject({ action: 'sso.login_refused', channel: 'saml' });
  expect(event.after.reason).toBe(reason);
}

test('SP-initiated: the login redirects to the IdP with a stored request; its signed answer lets the user in', async () => {
  const s = await setUp();
  const { userName } = await s.user('manager');
  const login = await request(roster.app)
    .get(`/sso/${s.account.accountId}/login?RelayState=%2Freports%3Fq%3D1`)
    .expect(302);
  expect(login.headers.location.startsWith(`${idp.ssoUrl}?`)).toBe(true);
  const authn = idp.readRequest(login.headers.location);
  expect(authn).toMatchObject({ acsUrl: s.sp.acsUrl, issuer: s.sp.entityId, relayState: '/reports?q=1' });

  const res = await s.post(s.response(userName.toUpperCase(), { inResponseTo: authn.id }), '/reports?q=1');
  // Signed in: the session cookie, and on to the RelayState.
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/reports?q=1');
  const home = await request(roster.app)
    .get(`/sso/${s.account.accountId}/home`)
    .set('Cookie', String(res.headers['set-cookie']).split(';')[0]);
  expect(home.text).toMatch(new RegExp(`signed in as user <strong id="user">${userName}</strong>`));
  expect(home.text).toContain('<strong id="role">Manager</strong>');
  const { events } = await roster.services.audit.list(s.account.operator, { limit: 2 });
  expect(events.map((e) => e.action)).toEqual(['sso.session_started', 'sso.login_succeeded']);
  expect(events[1]).toMatchObject({
    action: 'sso.login_succeeded',
    channel: 'saml',
    after: { method: 'sp-initiated', role: 'manager' },
  });

  // The request id answered once: the same InResponseTo again is unknown.
  const again = await s.post(s.response(userName, { inResponseTo: authn.id }));
  await expectRefused(s, again, 'unknown_request', /does not answer a request Roster made/);
});

test('IdP-initiated (the dashboard tile) by primary email; the access review shows the last login', async () => {
  const s = await setUp();
  const { userName } = await s.user('analyst', {
    emails: [{ value: 'Jo.Doe@Corp.example', primary: true, type: 'work' }],
  });
  const res = await s.post(s.response('jo.doe@corp.example'), 'https://evil.example/steal');
  expect(res.headers.location).toBe(`/sso/${s.account.accountId}/home`);
  expect((await followSignIn(roster.app, res)).text).toContain(`>${userName}</strong>`);
  const key = (await roster.services.apiKeys.issueService(s.account.operator)).secret;
  const review = await apiClient(roster, key).get('/access-review').expect(200);
  const member = (review.body.members as { userName: string; lastLogin: string | null }[]).find(
    (m) => m.userName === userName,
  );
  expect(member?.lastLogin).toBe(new Date(now).toISOString());
});

test('a signature on the response alone, or on the assertion alone (Entra default), is enough', async () => {
  const s = await setUp();
  const { userName } = await s.user('analyst');
  for (const sign of ['response', 'assertion'] as const) {
    const res = await s.post(s.response(userName, { sign }));
    expect(res.status).toBe(303);
  }
});

test('a request id issued for one account is refused at another, even with the same IdP', async () => {
  const a = await setUp();
  const b = await setUp();
  const { userName } = await b.user('admin');
  const login = await request(roster.app).get(`/sso/${a.account.accountId}/login`).expect(302);
  const { id } = idp.readRequest(login.headers.location);
  const res = await b.post(b.response(userName, { inResponseTo: id }));
  await expectRefused(b, res, 'unknown_request', /does not answer a request Roster made/);
});

test('IdP-initiated logins can be turned off per account', async () => {
  const s = await setUp({ idpInitiated: false });
  const { userName } = await s.user('admin');
  await expectRefused(
    s,
    await s.post(s.response(userName)),
    'idp_initiated_off',
    /only accepts sign-ins started from Roster/,
  );
});

test('a RelayState outside Roster is refused at the login', async () => {
  const s = await setUp();
  for (const relay of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
    const res = await request(roster.app)
      .get(`/sso/${s.account.accountId}/login`)
      .query({ RelayState: relay })
      .expect(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('data-reason="foreign_relay_state"');
    expect((await s.lastAudit()).after.reason).toBe('foreign_relay_state');
  }
});

describe('responses that must be refused', () => {
  let s: Setup;
  let userName: string;
  beforeAll(async () => {
    s = await setUp();
    ({ userName } = await s.user('admin'));
  });

  test('unsigned', async () => {
    await expectRefused(
      s,
      await s.post(s.response(userName, { sign: 'none' })),
      'unsigned',
      /was not signed/,
    );
  });

  test('altered after signing (another NameID in the signed assertion)', async () => {
    const altered = tamper(s.response('nobody@example.test'), (xml) =>
      xml.replace('nobody@example.test', userName),
    );
    await expectRefused(s, await s.post(altered), 'bad_signature', /signature does not match/);
  });

  test('signature wrapping (XSW): a copy of the signed assertion naming someone else', async () => {
    const signed = s.response('intern@example.test', { sign: 'assertion' });
    await expectRefused(
      s,
      await s.post(wrapSignature(signed, userName)),
      'bad_signature',
      /signature does not match/,
    );
  });

  test('signed with SHA-1', async () => {
    await expectRefused(
      s,
      await s.post(s.response(userName, { algorithm: 'sha1' })),
      'weak_algorithm',
      /outdated algorithm/,
    );
  });

  test('replayed', async () => {
    const once = s.response(userName);
    expect((await s.post(once)).status).toBe(303);
    await expectRefused(s, await s.post(once), 'replayed', /already used/);
  });

  test('expired, and not yet valid (beyond the 60 s clock skew)', async () => {
    const late = s.response(userName, { now: now - 10 * 60_000 });
    await expectRefused(s, await s.post(late), 'expired', /expired/);
    const early = s.response(userName, { validFrom: now + 2 * 60_000 });
    await expectRefused(s, await s.post(early), 'not_yet_valid', /not valid yet/);
    // Within the skew it is accepted.
    expect((await s.post(s.response(userName, { validFrom: now + 30_000 }))).status).toBe(303);
  });

  test('wrong audience', async () => {
    const res = await s.post(s.response(userName, { audience: 'https://other-app.example/saml' }));
    await expectRefused(s, res, 'wrong_audience', /meant for another application/);
  });

  test('wrong destination or recipient', async () => {
    const elsewhere = `${PUBLIC_URL}/sso/00000000-0000-4000-8000-000000000000/acs`;
    await expectRefused(
      s,
      await s.post(s.response(userName, { destination: elsewhere })),
      'wrong_destination',
      /different address/,
    );
    await expectRefused(
      s,
      await s.post(s.response(userName, { recipient: elsewhere })),
      'wrong_destination',
      /different address/,
    );
  });

  test("signed by another account's IdP", async () => {
    await expectRefused(
      s,
      await s.post(s.response(userName, {}, otherIdp)),
      'bad_signature',
      /signature does not match/,
    );
  });

  test('InResponseTo that Roster never issued', async () => {
    const res = await s.post(s.response(userName, { inResponseTo: '_never-issued' }));
    await expectRefused(s, res, 'unknown_request', /does not answer a request Roster made/);
  });
});

describe('who may enter', () => {
  test('an unknown user (no just-in-time creation)', async () => {
    const s = await setUp();
    await expectRefused(
      s,
      await s.post(s.response('stranger@example.test')),
      'unknown_user',
      /do not have a user/,
    );
  });

  test('a deactivated user', async () => {
    const s = await setUp();
    const { userName } = await s.user('admin', { active: false });
    await expectRefused(s, await s.post(s.response(userName)), 'inactive_user', /deactivated/);
  });

  test('a user with no role', async () => {
    const s = await setUp();
    const { userName } = await s.user(null);
    await expectRefused(s, await s.post(s.response(userName)), 'no_access', /do not have access/);
  });

  test('an account without SSO shows a page saying so', async () => {
    const account = await createAccount(roster);
    const res = await request(roster.app).get(`/sso/${account.accountId}/login`).expect(404);
    expect(res.text).toMatch(/Single sign-on is not set up/);
  });
});
