import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import request from 'supertest';
import { followSignIn } from '../support/sso-session';
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
import { TestIdp, type ResponseOptions } from '../support/test-idp';

/** Roster's clock, moved by the tests; the test IdP stamps its responses with the same time. */
let now = Date.parse('2026-11-23T12:00:00Z');
const clock = { now: () => now };
const entraMethods = 'http://schemas.microsoft.com/claims/authnmethodsreferences';
const multipleAuthn = 'http://schemas.microsoft.com/claims/multipleauthn';

let roster: TestRoster;
let idp: TestIdp;
beforeAll(async () => {
  roster = await startRoster({ MFA_TOTP_KEY: randomBytes(32).toString('base64') }, { clock });
  idp = await TestIdp.start('okta');
});
afterAll(() => roster.stop());

let counter = 0;
interface Setup {
  account: TestAccount;
  /** An IdP-initiated login (the dashboard tile) for `nameId`, posted to the ACS. */
  login(nameId: string, options?: Partial<ResponseOptions>): Promise<request.Response>;
  user(role: string, extra?: Record<string, unknown>): Promise<{ id: string; userName: string }>;
  audits(limit?: number): Promise<{ action: string; after: Record<string, unknown>; subjectId: string }[]>;
  admin(): Promise<ReturnType<typeof apiClient>>;
}

async function setUp(policy: Record<string, unknown>): Promise<Setup> {
  const account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() });
  await roster.services.mfa.set(account.operator, policy);
  const base = `${PUBLIC_URL}/sso/${account.accountId}`;
  const scim = scimClient(roster, account.token);
  const user = async (role: string, extra: Record<string, unknown> = {}) => {
    counter += 1;
    const userName = `mfa${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName, extra)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    return { id, userName };
  };
  return {
    account,
    user,
    login: async (nameId, options = {}) =>
      signedIn(
        await request(roster.app)
          .post(`/sso/${account.accountId}/acs`)
          .type('form')
          .send({
            SAMLResponse: idp.response({
              nameId,
              acsUrl: `${base}/acs`,
              audience: `${base}/metadata`,
              now,
              ...options,
            }),
          }),
      ),
    // The newest events but the session's own (test/http/sso-sessions.test.ts covers those).
    audits: async (limit = 1) =>
      (await roster.services.audit.list(account.operator, { limit: limit + 5 })).events
        .filter((e) => e.action !== 'sso.session_started')
        .slice(0, limit) as never,
    admin: async () => {
      const { userName } = await user('admin');
      return apiClient(
        roster,
        (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret,
      );
    },
  };
}

function pendingCookie(res: request.Response): string {
  const header = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('roster_mfa_pending='));
  if (!header) throw new Error(`no step-up cookie in ${res.status} ${res.text}`);
  expect(header).toMatch(/HttpOnly/);
  expect(header).toMatch(/SameSite=Lax/);
  return header.split(';')[0];
}

async function sendCode(s: Setup, cookie: string, code: string) {
  return signedIn(
    await request(roster.app)
      .post(`/sso/${s.account.accountId}/mfa`)
      .set('Cookie', cookie)
      .type('form')
      .send({ code }),
  );
}

/** An accepted login redirects (303) with the session cookie: open the landing page as a browser would. */
function signedIn(res: request.Response): Promise<request.Response> | request.Response {
  return res.status === 303 ? followSignIn(roster.app, res) : res;
}

const codeAt = (secret: string, at = now) => generateSync({ secret, epoch: Math.floor(at / 1000) });

/** Signs in with the step-up, enrolling an authenticator; returns its secret and the backup codes. */
async function enrol(s: Setup, userName: string): Promise<{ secret: string; backupCodes: string[] }> {
  const started = await s.login(userName);
  expect(started.status).toBe(200);
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started.text)?.[1] ?? '';
  expect(started.text).toContain('otpauth://totp/');
  const done = await sendCode(s, pendingCookie(started), codeAt(secret));
  expect(done.status).toBe(200);
  const backupCodes = [...done.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
  expect(backupCodes).toHaveLength(10);
  now += 30_000; // the next code is a new one
  return { secret, backupCodes };
}

test('MFA required of everyone: the AuthnRequest asks for it, an accepted AuthnContextClassRef proves it', async () => {
  const s = await setUp({ required: true });
  const { userName } = await s.user('analyst');
  const login = await request(roster.app).get(`/sso/${s.account.accountId}/login`).expect(302);
  expect(idp.readRequest(login.headers.location).requestedAuthnContext).toEqual({
    comparison: 'exact',
    classRefs: [multipleAuthn, 'urn:okta:loa:2fa:any'],
  });
  const res = await s.login(userName, { authnContextClassRef: 'urn:okta:loa:2fa:any' });
  expect(res.status).toBe(200);
  expect(res.text).toContain('<strong id="role">Analyst</strong>');
  expect((await s.audits())[0]).toMatchObject({
    action: 'sso.login_succeeded',
    after: { mfa: { method: 'idp', detail: 'AuthnContextClassRef urn:okta:loa:2fa:any' } },
  });
});

test("MFA required of a role: Entra's authnmethodsreferences attribute proves it; other roles need nothing", async () => {
  const s = await setUp({ roleKeys: ['admin'], allowTotpStepUp: false });
  const admin = await s.user('admin');
  const analyst = await s.user('analyst');
  const login = await request(roster.app).get(`/sso/${s.account.accountId}/login`).expect(302);
  expect(idp.readRequest(login.headers.location).requestedAuthnContext).toBeNull();
  const proven = await s.login(admin.userName, {
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    attributes: {
      [entraMethods]: [
        'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
        multipleAuthn,
      ],
    },
  });
  expect(proven.status).toBe(200);
  expect((await s.audits())[0].after.mfa).toEqual({
    method: 'idp',
    detail: `authentication method ${multipleAuthn}`,
  });
  expect((await s.login(analyst.userName)).status).toBe(200);
  expect((await s.audits())[0].after.mfa).toEqual({ method: 'not_required', detail: null });
});

test('not proven and no step-up allowed: refused with a page naming the policy, and audited', async () => {
  const s = await setUp({ roleKeys: ['admin'], allowTotpStepUp: false });
  const { id, userName } = await s.user('admin');
  // Okta's amr attribute with a password only is no proof.
  const res = await s.login(userName, { attributes: { amr: ['pwd'] } });
  expect(res.status).toBe(403);
  expect(res.text).toContain('data-reason="mfa_not_proven"');
  expect(res.text).toMatch(/requires multi-factor authentication \(MFA\) of everyone with the role/);
  expect((await s.audits())[0]).toMatchObject({
    action: 'sso.login_refused',
    subjectId: id,
    after: { reason: 'mfa_not_proven', mfaRequiredBy: 'role' },
  });
});

test("not proven: Roster's TOTP step-up enrols, then asks for the code at each such login", async () => {
  const s = await setUp({ required: true });
  const { id, userName } = await s.user('manager');
  const first = await s.login(userName);
  expect(first.text).toContain('Set up your authenticator app');
  // A QR code of the otpauth:// link, inline, for the phone's camera.
  expect(first.text).toMatch(
    /<figure id="totp-qr"[^>]*><svg [^>]*viewBox="0 0 \d+ \d+"[\s\S]*<\/svg><\/figure>/,
  );
  expect(first.text).not.toContain('id="role"'); // not signed in yet
  const { secret } = { secret: /id="totp-secret">([A-Z2-7]+)</.exec(first.text)?.[1] ?? '' };
  const cookie = pendingCookie(first);
  const wrong = await sendCode(s, cookie, '000000' === codeAt(secret) ? '111111' : '000000');
  expect(wrong.status).toBe(401);
  expect(wrong.text).toMatch(/4 tries left/);
  expect(wrong.text).toContain(secret); // the same key while enrolling
  const done = await sendCode(s, cookie, codeAt(secret));
  expect(done.status).toBe(200);
  expect(done.text).toContain(`<strong id="user">${userName}</strong>`);
  expect(done.text).toContain('<strong id="role">Manager</strong>');
  expect(done.text).toContain('Your backup codes');
  const events = await s.audits(3);
  expect(events[0]).toMatchObject({
    action: 'sso.login_succeeded',
    subjectId: id,
    after: { mfa: { method: 'totp', detail: 'totp' } },
  });
  expect(events[1]).toMatchObject({
    action: 'mfa.totp_enrolled',
    after: { totpEnrolled: true, backupCodes: 10 },
  });
  // The pending login was used up.
  expect((await sendCode(s, cookie, codeAt(secret))).status).toBe(403);

  now += 30_000;
  const second = await s.login(userName);
  expect(second.text).not.toContain('totp-secret');
  expect(second.text).toMatch(/Type the 6-digit code/);
  const again = await sendCode(s, pendingCookie(second), codeAt(secret));
  expect(again.status).toBe(200);
  expect(again.text).not.toContain('Your backup codes');
  // The same code is good once, even within its 30 seconds.
  const third = await s.login(userName);
  expect((await sendCode(s, pendingCookie(third), codeAt(secret))).status).toBe(401);
  // The members list shows who enrolled.
  const member = await (await s.admin()).get(`/members/${id}`).expect(200);
  expect(member.body.totpEnrolled).toBe(true);
});

test('five wrong codes lock the TOTP for 15 minutes (audited); then the right code works again', async () => {
  const s = await setUp({ required: true });
  const { id, userName } = await s.user('analyst');
  const { secret } = await enrol(s, userName);
  const started = await s.login(userName);
  const cookie = pendingCookie(started);
  const wrongCode = codeAt(secret) === '123456' ? '654321' : '123456';
  for (let i = 0; i < 4; i++) expect((await sendCode(s, cookie, wrongCode)).status).toBe(401);
  const locked = await sendCode(s, cookie, wrongCode);
  expect(locked.status).toBe(403);
  expect(locked.text).toContain('data-reason="totp_locked"');
  expect((await s.audits())[0]).toMatchObject({ action: 'mfa.totp_locked', subjectId: id });
  // Locked: a new login is refused, even with the right code.
  const refused = await s.login(userName);
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('data-reason="totp_locked"');
  now += 15 * 60_000;
  const later = await s.login(userName);
  expect((await sendCode(s, pendingCookie(later), codeAt(secret))).status).toBe(200);
});

test('a backup code works once', async () => {
  const s = await setUp({ required: true });
  const { userName } = await s.user('analyst');
  const { backupCodes } = await enrol(s, userName);
  const first = await s.login(userName);
  const used = await sendCode(s, pendingCookie(first), backupCodes[3].toUpperCase());
  expect(used.status).toBe(200);
  expect((await s.audits(2))[1].action).toBe('mfa.backup_code_used');
  const second = await s.login(userName);
  expect((await sendCode(s, pendingCookie(second), backupCodes[3])).status).toBe(401);
});

test("an Admin resets a user's TOTP (audited; the next login enrols again); support access never can", async () => {
  const s = await setUp({ required: true });
  const { id, userName } = await s.user('analyst');
  await enrol(s, userName);
  const admin = await s.admin();
  await roster.services.support.grant(s.account.operator, { days: 7 });
  const { secret } = await roster.services.support.openSession(s.account.operator, 'Sam');
  const support = apiClient(roster, secret);
  const denied = await support.delete(`/members/${id}/totp`).expect(403);
  expect(denied.body.error.code).toBe('access.denied');

  await admin.delete(`/members/${id}/totp`).expect(204);
  expect((await s.audits())[0]).toMatchObject({ action: 'mfa.totp_reset', subjectId: id });
  expect((await admin.delete(`/members/${id}/totp`).expect(404)).body.error.code).toBe(
    'mfa.totp_not_enrolled',
  );
  expect((await s.login(userName)).text).toContain('Set up your authenticator app');
});

test("an Admin cannot reset the Owner's TOTP; the Owner can reset their own", async () => {
  const s = await setUp({ required: true });
  const op = s.account.operator;
  const ownerUserName = (await roster.services.members.get(op, s.account.ownerId)).userName;
  await enrol(s, ownerUserName);
  const admin = await s.admin();
  const refused = await admin.delete(`/members/${s.account.ownerId}/totp`).expect(403);
  expect(refused.body.error.code).toBe('account.owner_protected');
  expect((await admin.get(`/members/${s.account.ownerId}`).expect(200)).body.totpEnrolled).toBe(true);
  expect((await s.login(ownerUserName)).text).not.toContain('Set up your authenticator app');

  const owner = apiClient(roster, (await roster.services.apiKeys.issueForMember(op, ownerUserName)).secret);
  await owner.delete(`/members/${s.account.ownerId}/totp`).expect(204);
  expect((await s.login(ownerUserName)).text).toContain('Set up your authenticator app');
});

test('without MFA_TOTP_KEY a login the IdP did not prove MFA for is refused with the MFA page (403, audited), not a 503', async () => {
  const bare = await startRoster({}, { clock });
  try {
    const account = await createAccount(bare);
    await bare.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() });
    // Allowed: the IdP's MFA values still count; the step-up, which would need the key, is skipped.
    await bare.services.mfa.set(account.operator, { required: true });
    const userName = `nokey${++counter}@example.test`;
    const id = (await scimClient(bare, account.token).post('/Users', aUser(userName)).expect(201)).body
      .id as string;
    await bare.services.roles.assign(account.operator, id, 'analyst');
    const base = `${PUBLIC_URL}/sso/${account.accountId}`;
    const res = await request(bare.app)
      .post(`/sso/${account.accountId}/acs`)
      .type('form')
      .send({
        SAMLResponse: idp.response({
          nameId: userName,
          acsUrl: `${base}/acs`,
          audience: `${base}/metadata`,
          now,
        }),
      });
    expect(res.status).toBe(403);
    expect(res.text).toContain('data-reason="mfa_not_proven"');
    const { events } = await bare.services.audit.list(account.operator, { limit: 1 });
    expect(events[0]).toMatchObject({
      action: 'sso.login_refused',
      subjectId: id,
      after: { reason: 'mfa_not_proven', mfaRequiredBy: 'account' },
    });
  } finally {
    await bare.stop();
  }
});
