import {
  accessReview,
  memberPage,
  memberSchema,
  mfaPolicySchema,
} from '../../src/adapters/http/api/api-schemas';
import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const person = async (role: string) => {
    counter += 1;
    const userName = `mfa-api${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    const key = (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret;
    return { id, userName, api: apiClient(roster, key) };
  };
  return { account, person };
}

test('GET shows the default policy; PUT changes the fields it names; the answer is the stored policy', async () => {
  const { person } = await setUp();
  const admin = await person('admin');
  const initial = mfaPolicySchema.parse((await admin.api.get('/mfa-policy').expect(200)).body);
  expect(initial).toEqual({
    required: false,
    roles: [],
    acceptedAuthnContextClassRefs: [
      'http://schemas.microsoft.com/claims/multipleauthn',
      'urn:okta:loa:2fa:any',
    ],
    acceptedAuthnMethods: ['http://schemas.microsoft.com/claims/multipleauthn', 'mfa'],
    allowTotpStepUp: true,
  });
  const changed = await admin.api
    .put('/mfa-policy', { roles: ['admin', 'owner'], allowTotpStepUp: false })
    .expect(200);
  expect(changed.body).toEqual({ ...initial, roles: ['owner', 'admin'], allowTotpStepUp: false });
  expect((await admin.api.get('/mfa-policy').expect(200)).body).toEqual(changed.body);
});

test('refusals: unknown role 400, unknown field 400, a Manager 403, a support agent 403', async () => {
  const { account, person } = await setUp();
  const owner = await person('admin');
  const manager = await person('manager');
  expect((await owner.api.put('/mfa-policy', { roles: ['wizard'] }).expect(400)).body.error.code).toBe(
    'role.unknown',
  );
  await owner.api.put('/mfa-policy', { required: 'yes' }).expect(400);
  await owner.api.put('/mfa-policy', { enforce: true }).expect(400);
  expect((await manager.api.get('/mfa-policy').expect(403)).body.error.code).toBe('access.denied');
  await manager.api.put('/mfa-policy', { required: true }).expect(403);
  await roster.services.support.grant(account.operator, { days: 7 });
  const { secret } = await roster.services.support.openSession(account.operator, 'Sam');
  const support = apiClient(roster, secret);
  await support.put('/mfa-policy', { required: false }).expect(403);
  await support.put(`/members/${manager.id}/mfa`, { required: false }).expect(403);
  expect((await owner.api.get('/mfa-policy').expect(200)).body.required).toBe(false);
});

test("PUT /members/:id/mfa sets and clears a user's flag; members list and get show the MFA state", async () => {
  const { person } = await setUp();
  const admin = await person('admin');
  const analyst = await person('analyst');
  const set = memberSchema.parse(
    (await admin.api.put(`/members/${analyst.id}/mfa`, { required: true }).expect(200)).body,
  );
  expect(set.mfa).toEqual({ required: true, because: 'user', userFlag: true });
  await admin.api.put('/mfa-policy', { roles: ['admin'] }).expect(200);
  const page = memberPage.parse((await admin.api.get('/members').expect(200)).body);
  const mfaOf = (id: string) => page.members.find((m) => m.id === id)?.mfa;
  expect(mfaOf(admin.id)).toEqual({ required: true, because: 'role', userFlag: null });
  expect(mfaOf(analyst.id)).toEqual({ required: true, because: 'user', userFlag: true });
  const cleared = (await admin.api.put(`/members/${analyst.userName}/mfa`, { required: null }).expect(200))
    .body;
  expect(cleared.mfa).toEqual({ required: false, because: null, userFlag: null });
  await admin.api.put(`/members/${analyst.id}/mfa`, {}).expect(400);
  await admin.api.put('/members/nobody@example.test/mfa', { required: true }).expect(404);
});

test('the access review shows MFA state as JSON and as CSV columns', async () => {
  const { person } = await setUp();
  const admin = await person('admin');
  const analyst = await person('analyst');
  await admin.api.put('/mfa-policy', { roles: ['admin'] }).expect(200);
  await admin.api.put(`/members/${analyst.id}/mfa`, { required: false }).expect(200);
  const review = accessReview.parse((await admin.api.get('/access-review').expect(200)).body);
  expect(review.members.find((m) => m.id === admin.id)?.mfa).toEqual({
    required: true,
    because: 'role',
    userFlag: null,
  });
  const csv = (await admin.api.get('/access-review?format=csv').expect(200)).text.trim().split('\n');
  const header = csv[0].split(',');
  const cells = (id: string) => {
    const row = csv.find((line) => line.startsWith(id))!.split(',');
    const at = (name: string) => row[row.length - header.length + header.indexOf(name)];
    return [at('mfaRequired'), at('mfaRequiredBy'), at('mfaUserFlag')];
  };
  expect(header.slice(-3)).toEqual(['mfaRequired', 'mfaRequiredBy', 'mfaUserFlag']);
  expect(cells(admin.id)).toEqual(['true', 'role', '']);
  expect(cells(analyst.id)).toEqual(['false', '', 'false']);
});

test("without MFA_TOTP_KEY, PUT of a policy only Roster's TOTP could satisfy is a 400 that says what to do; nothing changes", async () => {
  const { person } = await setUp();
  const admin = await person('admin');
  const before = (await admin.api.get('/mfa-policy').expect(200)).body;
  const refused = await admin.api
    .put('/mfa-policy', { required: true, acceptedAuthnContextClassRefs: [], acceptedAuthnMethods: [] })
    .expect(400);
  expect(refused.body.error).toEqual({
    code: 'mfa.totp_unavailable',
    message: expect.stringMatching(
      /no MFA_TOTP_KEY: accept your IdP's MFA .* or ask the operator to set MFA_TOTP_KEY/,
    ),
  });
  expect((await admin.api.get('/mfa-policy').expect(200)).body).toEqual(before);
  // With the IdP's MFA values accepted, requiring MFA needs no key.
  await admin.api.put('/mfa-policy', { required: true }).expect(200);
});
