import request from 'supertest';
import {
  apiClient,
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { keyPair, TestIdp } from '../support/test-idp';
import { followSignIn } from '../support/sso-session';

let roster: TestRoster;
let idp: TestIdp;
beforeAll(async () => {
  roster = await startRoster();
  idp = await TestIdp.start('okta');
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const keyFor = async (role: string) => {
    counter += 1;
    const userName = `sso-admin${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    return (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret;
  };
  const admin = apiClient(roster, await keyFor('admin'));
  const analyst = apiClient(roster, await keyFor('analyst'));
  const sp = `${PUBLIC_URL}/sso/${account.accountId}`;
  return { account, admin, analyst, sp, scim };
}

test('an Admin sees the SP values to give the IdP, then configures the IdP from its metadata', async () => {
  const { admin, sp } = await setUp();
  const before = await admin.get('/sso').expect(200);
  expect(before.body).toEqual({
    sp: {
      entityId: `${sp}/metadata`,
      acsUrl: `${sp}/acs`,
      metadataUrl: `${sp}/metadata`,
      loginUrl: `${sp}/login`,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    },
    idp: null,
  });
  const put = await admin.put('/sso', { metadataXml: idp.metadataXml() }).expect(200);
  expect(put.body.idp).toMatchObject({
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    idpInitiated: true,
    certificates: [{ subject: 'CN=okta IdP' }],
  });
  expect((await admin.get('/sso').expect(200)).body).toEqual(put.body);
});

test('Roster serves SP metadata per account at a stable URL', async () => {
  const { account, sp } = await setUp();
  const res = await request(roster.app).get(`/sso/${account.accountId}/metadata`).expect(200);
  expect(res.headers['content-type']).toMatch(/samlmetadata\+xml/);
  expect(res.text).toContain(`entityID="${sp}/metadata"`);
  expect(res.text).toContain(`Location="${sp}/acs"`);
  expect(res.text).toContain('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
  await request(roster.app).get('/sso/00000000-0000-4000-8000-000000000000/metadata').expect(404);
});

test('refused with a message saying which: unreadable metadata, no IdP in it, an expired or bogus certificate', async () => {
  const { admin } = await setUp();
  const notXml = await admin.put('/sso', { metadataXml: '<md:EntityDescriptor' }).expect(400);
  expect(notXml.body.error).toMatchObject({ code: 'sso.metadata_invalid' });
  expect(notXml.body.error.message).toMatch(/does not parse as XML/);

  const spOnly = await admin
    .put('/sso', {
      metadataXml: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
    })
    .expect(400);
  expect(spOnly.body.error.message).toMatch(/no IDPSSODescriptor/);

  const expired = await keyPair('Old key', -1);
  const manual = { entityId: idp.entityId, ssoUrl: idp.ssoUrl };
  const old = await admin.put('/sso', { ...manual, certificates: [idp.cert, expired.cert] }).expect(400);
  expect(old.body.error).toMatchObject({ code: 'sso.certificate_expired' });
  expect(old.body.error.message).toMatch(/^Certificate 2 \(CN=Old key\) expired on /);

  const bogus = await admin.put('/sso', { ...manual, certificates: ['not a certificate'] }).expect(400);
  expect(bogus.body.error).toMatchObject({ code: 'sso.certificate_invalid' });
  expect(bogus.body.error.message).toMatch(/^Certificate 1 is not an X\.509 certificate/);

  expect((await admin.get('/sso').expect(200)).body.idp).toBeNull();
});

test('several signing certificates at once: a response signed with either key is accepted (rotation)', async () => {
  const { admin, account, sp, scim } = await setUp();
  const rotated = await TestIdp.start('okta');
  await admin
    .put('/sso', {
      entityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      certificates: [idp.cert, rotated.cert],
      idpInitiated: true,
    })
    .expect(200);
  const userName = `rotation${counter}@example.test`;
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await roster.services.roles.assign(account.operator, id, 'analyst');
  // A new key pair under the same IdP name: the same entity id, another certificate.
  for (const from of [idp, rotated]) {
    const response = from.response({
      nameId: userName,
      acsUrl: `${sp}/acs`,
      audience: `${sp}/metadata`,
      now: Date.now(),
    });
    const res = await request(roster.app)
      .post(`/sso/${account.accountId}/acs`)
      .type('form')
      .send({ SAMLResponse: response });
    expect((await followSignIn(roster.app, res)).text).toContain(`>${userName}</strong>`);
  }
});

test('IdP-initiated can be turned off and stays off on a later change; only Owners and Admins configure', async () => {
  const { admin, analyst } = await setUp();
  await admin.put('/sso', { metadataXml: idp.metadataXml(), idpInitiated: false }).expect(200);
  const again = await admin.put('/sso', { metadataXml: idp.metadataXml() }).expect(200);
  expect(again.body.idp.idpInitiated).toBe(false);
  const denied = await analyst.put('/sso', { metadataXml: idp.metadataXml() }).expect(403);
  expect(denied.body.error.code).toBe('access.denied');
  await analyst.get('/sso').expect(403);
});

test('removing the IdP stops SSO logins; both changes are audited', async () => {
  const { admin, account } = await setUp();
  await admin.put('/sso', { metadataXml: idp.metadataXml() }).expect(200);
  await admin.delete('/sso').expect(204);
  expect((await admin.delete('/sso').expect(404)).body.error.code).toBe('sso.not_configured');
  const page = await request(roster.app).get(`/sso/${account.accountId}/login`).expect(404);
  expect(page.text).toMatch(/Single sign-on is not set up/);
  const audit = await admin.get('/audit?action=sso.configured').expect(200);
  expect(audit.body.events[0]).toMatchObject({ channel: 'admin-api', after: { idpEntityId: idp.entityId } });
  const removed = await admin.get('/audit?action=sso.removed').expect(200);
  expect(removed.body.events).toHaveLength(1);
});
