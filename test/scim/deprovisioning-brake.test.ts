/**
 * The brake against mass deprovisioning over SCIM (issue 6): past a share of the account's users
 * within an hour, further deactivations and deletions are held with a SCIM 503 the IdP retries,
 * until an Owner or Admin approves. Time moves on an injected clock, never by sleeping.
 */
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { expectScimError, uniqueEmail } from './scim-helpers';

let now = Date.parse('2026-12-02T10:00:00Z');
const clock = { now: () => now };
let roster: TestRoster;
beforeAll(async () => {
  // 10% of 40 users is 4 an hour; the minimum of 2 does not matter here.
  roster = await startRoster(
    { SCIM_DEACTIVATION_BRAKE_SHARE: '0.1', SCIM_DEACTIVATION_BRAKE_MINIMUM: '2' },
    { clock },
  );
});
afterAll(() => roster.stop());

async function setUp(users = 39) {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const ids: string[] = [];
  for (let i = 0; i < users; i++)
    ids.push((await scim.post('/Users', aUser(uniqueEmail('staff'))).expect(201)).body.id as string);
  const adminName = uniqueEmail('admin');
  const adminId = (await scim.post('/Users', aUser(adminName)).expect(201)).body.id as string;
  await roster.services.roles.assign(account.operator, adminId, 'admin');
  const admin = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, adminName)).secret,
  );
  const deactivate = (id: string) =>
    scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }));
  return { account, scim, ids, admin, deactivate };
}

test('the fifth deactivation within the hour is held with a 503 and Retry-After, and changes nothing', async () => {
  const { scim, ids, admin, deactivate } = await setUp();
  for (const id of ids.slice(0, 4)) await deactivate(id).expect(200);
  const held = await deactivate(ids[4]);
  const body = expectScimError(held, 503);
  expect(held.headers['retry-after']).toBe('600');
  expect(body.detail).toMatch(
    /Held: 4 users were deactivated or deleted over SCIM in the last hour.*Owner or Admin must approve/,
  );
  expect((await scim.get(`/Users/${ids[4]}`)).body.active).toBe(true);
  expectScimError(await scim.delete(`/Users/${ids[5]}`), 503);
  await scim.get(`/Users/${ids[5]}`).expect(200);
  expect((await admin.get('/deprovisioning')).body).toMatchObject({
    recent: 4,
    limit: 4,
    held: true,
    approvedUntil: null,
  });
  // Other changes and other channels go on: the brake is for SCIM removals only.
  await scim
    .patch(`/Users/${ids[6]}`, patchOp({ op: 'replace', path: 'displayName', value: 'Still here' }))
    .expect(200);
});

test('an Admin approves: the IdP retry goes through, for an hour; the approval is audited', async () => {
  const { account, ids, admin, deactivate } = await setUp();
  for (const id of ids.slice(0, 4)) await deactivate(id).expect(200);
  await deactivate(ids[4]).expect(503);
  const approved = await admin.post('/deprovisioning/approve').expect(200);
  expect(approved.body.approvedUntil).toBe(new Date(now + 60 * 60_000).toISOString());
  for (const id of ids.slice(4, 12)) await deactivate(id).expect(200);
  const audit = await roster.services.audit.list(account.operator, {
    action: 'account.mass_deprovisioning_approved',
  });
  expect(audit.events).toHaveLength(1);
  expect(audit.events[0]).toMatchObject({ actorKind: 'member', channel: 'admin-api' });

  now += 61 * 60_000; // the approval ends, and so does the window: earlier removals no longer count
  await deactivate(ids[12]).expect(200);
});

test('a quiet hour later the count starts again; an Analyst cannot approve', async () => {
  const { scim, ids, deactivate, account } = await setUp();
  for (const id of ids.slice(0, 4)) await deactivate(id).expect(200);
  await deactivate(ids[4]).expect(503);
  now += 60 * 60_000 + 1;
  await deactivate(ids[4]).expect(200);

  const analystName = uniqueEmail('analyst');
  const analystId = (await scim.post('/Users', aUser(analystName)).expect(201)).body.id as string;
  await roster.services.roles.assign(account.operator, analystId, 'analyst');
  const analyst = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, analystName)).secret,
  );
  expect((await analyst.post('/deprovisioning/approve')).status).toBe(403);
});
