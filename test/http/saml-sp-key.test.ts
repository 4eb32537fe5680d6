import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import {
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { sessionCookieOf } from '../support/sso-session';
import {
  encryptedResponse,
  keyPair,
  logoutRequest,
  logoutResponse,
  readRedirect,
  TestIdp,
  type KeyPair,
} from '../support/test-idp';

/**
 * Roster's SAML key (SAML_SP_KEY_FILE, SAML_SP_CERT_FILE): signed AuthnRequests when the IdP asks,
 * encrypted assertions (decrypted before the signature checks), and single logout both ways.
 */
let roster: TestRoster;
let spKey: KeyPair;
let dir: string;
let idp: TestIdp;

beforeAll(async () => {
  spKey = await keyPair('Roster SP');
  dir = mkdtempSync(join(tmpdir(), 'roster-sp-key-'));
  writeFileSync(join(dir, 'sp.key'), spKey.privateKey);
  writeFileSync(join(dir, 'sp.crt'), spKey.cert);
  roster = await startRoster({
    SAML_SP_KEY_FILE: join(dir, 'sp.key'),
    SAML_SP_CERT_FILE: join(dir, 'sp.crt'),
  });
  idp = await TestIdp.start('entra');
});

afterAll(async () => {
  await roster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sloUrl = 'https://idp.test/entra/slo';
let counter = 0;

async function setUp(options: { wantAuthnRequestsSigned?: boolean } = {}) {
  const account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, {
    metadataXml: idp.metadataXml([], sloUrl, options),
  });
  counter += 1;
  const userName = `key${counter}@example.test`;
  const id = (await scimClient(roster, account.token).post('/Users', aUser(userName)).expect(201)).body
    .id as string;
  await roster.services.roles.assign(account.operator, id, 'analyst');
  const base = `${PUBLIC_URL}/sso/${account.accountId}`;
  return {
    account,
    userName,
    id,
    base,
    sp: { entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` },
  };
}

async function startLogin(account: TestAccount) {
  const res = await request(roster.app).get(`/sso/${account.accountId}/login`).expect(302);
  return String(res.headers.location);
}

test("the SP metadata publishes Roster's certificate for signing and encryption, and its single-logout URL", async () => {
  const { account, sp } = await setUp();
  const res = await request(roster.app).get(`/sso/${account.accountId}/metadata`).expect(200);
  const body = spKey.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  expect(res.text).toMatch(/KeyDescriptor use="signing"/);
  expect(res.text).toMatch(/KeyDescriptor use="encryption"/);
  expect(res.text.replace(/\s+/g, '')).toContain(body);
  expect(res.text).toContain(`Location="${sp.sloUrl}"`);
});

test('an IdP whose metadata says WantAuthnRequestsSigned gets AuthnRequests signed with the published key', async () => {
  const signed = await setUp({ wantAuthnRequestsSigned: true });
  const location = await startLogin(signed.account);
  expect(readRedirect(location, spKey.cert)).toMatchObject({ signed: true, verified: true });
  const plain = await setUp({ wantAuthnRequestsSigned: false });
  expect(readRedirect(await startLogin(plain.account)).signed).toBe(false);
});

test('an encrypted assertion is decrypted, then its signature checked, and the person signed in', async () => {
  const s = await setUp();
  const location = await startLogin(s.account);
  const request_ = idp.readRequest(location);
  const samlResponse = await encryptedResponse(idp, {
    nameId: s.userName,
    acsUrl: s.sp.acsUrl,
    audience: s.sp.entityId,
    inResponseTo: request_.id,
    now: Date.now(),
    spCert: spKey.cert,
  });
  expect(Buffer.from(samlResponse, 'base64').toString()).not.toContain(s.userName);
  const res = await request(roster.app)
    .post(`/sso/${s.account.accountId}/acs`)
    .type('form')
    .send({ SAMLResponse: samlResponse });
  expect(res.status).toBe(303);
  expect(sessionCookieOf(res)).not.toBeNull();
  // The MFA evidence and the time checks read the decrypted assertion node-saml verified.
  const { events } = await roster.services.audit.list(s.account.operator, {
    action: 'sso.login_succeeded',
    limit: 1,
  });
  expect(events[0].after).toMatchObject({ nameId: s.userName, method: 'sp-initiated' });
});

test('an encrypted assertion that is not signed inside, or encrypted for another key, is refused', async () => {
  const s = await setUp();
  const unsigned = await encryptedResponse(idp, {
    nameId: s.userName,
    acsUrl: s.sp.acsUrl,
    audience: s.sp.entityId,
    now: Date.now(),
    spCert: spKey.cert,
    sign: 'none',
  });
  const refused = await request(roster.app)
    .post(`/sso/${s.account.accountId}/acs`)
    .type('form')
    .send({ SAMLResponse: unsigned });
  expect(refused.status).toBe(403);
  expect(sessionCookieOf(refused)).toBeNull();
  const otherKey = await keyPair('Someone else');
  const forOther = await encryptedResponse(idp, {
    nameId: s.userName,
    acsUrl: s.sp.acsUrl,
    audience: s.sp.entityId,
    now: Date.now(),
    spCert: otherKey.cert,
  });
  const second = await request(roster.app)
    .post(`/sso/${s.account.accountId}/acs`)
    .type('form')
    .send({ SAMLResponse: forOther });
  expect(second.status).toBe(403);
});

async function signedIn(s: Awaited<ReturnType<typeof setUp>>, sessionIndex = `_s${counter}`) {
  const res = await request(roster.app)
    .post(`/sso/${s.account.accountId}/acs`)
    .type('form')
    .send({
      SAMLResponse: idp.response({
        nameId: s.userName,
        acsUrl: s.sp.acsUrl,
        audience: s.sp.entityId,
        now: Date.now(),
        sessionIndex,
      }),
    });
  expect(res.status).toBe(303);
  return String(sessionCookieOf(res));
}

test("Roster's logout sends the IdP a signed LogoutRequest naming the NameID and SessionIndex; the IdP's answer lands on the signed-out page", async () => {
  const s = await setUp();
  const cookie = await signedIn(s, '_sp-logout');
  const home = await request(roster.app)
    .get(`/sso/${s.account.accountId}/home`)
    .set('Cookie', cookie)
    .expect(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(home.text)?.[1] ?? '';
  const out = await request(roster.app)
    .post(`/sso/${s.account.accountId}/logout`)
    .set('Cookie', cookie)
    .type('form')
    .send({ csrf });
  expect(out.status).toBe(303);
  const location = String(out.headers.location);
  expect(location.startsWith(sloUrl)).toBe(true);
  const sent = readRedirect(location, spKey.cert);
  expect(sent.verified).toBe(true);
  expect(sent.xml).toContain(`>${s.userName}</`);
  expect(sent.xml).toContain('>_sp-logout</');
  const requestId = /ID="([^"]+)"/.exec(sent.xml)?.[1] ?? '';
  const back = await request(roster.app)
    .post(`/sso/${s.account.accountId}/slo`)
    .type('form')
    .send({
      SAMLResponse: logoutResponse(idp, {
        inResponseTo: requestId,
        destination: s.sp.sloUrl,
        now: Date.now(),
      }),
    });
  expect(back.status).toBe(303);
  expect(back.headers.location).toBe(`/sso/${s.account.accountId}/signed-out`);
});

test("the IdP's signed LogoutRequest ends that person's sessions and is answered with a LogoutResponse; a forged one changes nothing", async () => {
  const s = await setUp();
  const cookie = await signedIn(s, '_idp-logout');
  const forger = await TestIdp.start('entra');
  const forged = await request(roster.app)
    .post(`/sso/${s.account.accountId}/slo`)
    .type('form')
    .send({
      SAMLRequest: logoutRequest(forger, { nameId: s.userName, destination: s.sp.sloUrl, now: Date.now() }),
    });
  expect(forged.status).toBe(403);
  await request(roster.app).get(`/sso/${s.account.accountId}/home`).set('Cookie', cookie).expect(200);

  const res = await request(roster.app)
    .post(`/sso/${s.account.accountId}/slo`)
    .type('form')
    .send({
      SAMLRequest: logoutRequest(idp, {
        nameId: s.userName,
        sessionIndex: '_idp-logout',
        destination: s.sp.sloUrl,
        now: Date.now(),
      }),
    });
  expect(res.status).toBe(302);
  const answer = readRedirect(String(res.headers.location), spKey.cert);
  expect(String(res.headers.location).startsWith(sloUrl)).toBe(true);
  expect(answer.verified).toBe(true);
  expect(answer.xml).toContain('LogoutResponse');
  expect(answer.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
  await request(roster.app).get(`/sso/${s.account.accountId}/home`).set('Cookie', cookie).expect(401);
  const { events } = await roster.services.audit.list(s.account.operator, {
    action: 'sso.session_ended',
    limit: 1,
  });
  expect(events[0].after).toEqual({ reason: 'idp_logout' });
});

test('without a SAML key, an IdP that wants signed AuthnRequests is refused at login with the reason', async () => {
  const plain = await startRoster();
  try {
    const account = await createAccount(plain);
    await plain.services.sso.configure(account.operator, {
      metadataXml: idp.metadataXml([], sloUrl, { wantAuthnRequestsSigned: true }),
    });
    const res = await request(plain.app).get(`/sso/${account.accountId}/login`);
    expect(res.status).toBe(404);
    const { events } = await plain.services.audit.list(account.operator, {
      action: 'sso.login_refused',
      limit: 1,
    });
    expect(events[0].after).toMatchObject({
      reason: 'not_configured',
      detail: expect.stringMatching(/SAML_SP_KEY_FILE/),
    });
  } finally {
    await plain.stop();
  }
});

test('a key file and a certificate of another key stop the start, naming both settings', async () => {
  const other = await keyPair('Other');
  writeFileSync(join(dir, 'other.crt'), other.cert);
  expect(() =>
    loadConfig({ SAML_SP_KEY_FILE: join(dir, 'sp.key'), SAML_SP_CERT_FILE: join(dir, 'other.crt') }),
  ).toThrow(/SAML_SP_KEY_FILE=.*SAML_SP_CERT_FILE=.*not the key's/);
  expect(() => loadConfig({ SAML_SP_KEY_FILE: join(dir, 'sp.key') })).toThrow(/go together/);
});
