/**
 * The brake against mass deprovisioning over SCIM: past a share of the account's users
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
import { expectScimError, GROUP_URN, ROSTER_URN, unique, uniqueEmail } from './scim-helpers';

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

describe('access removed through groups counts too', () => {
  const groupBody = (displayName: string, members: string[]) => ({
    schemas: [GROUP_URN],
    displayName,
    members: members.map((value) => ({ value })),
  });
  async function mappedGroup(
    setup: Awaited<ReturnType<typeof setUp>>,
    displayName: string,
    members: string[],
    by: 'id' | 'displayName' = 'id',
  ) {
    const id = (await setup.scim.post('/Groups', groupBody(displayName, members)).expect(201)).body
      .id as string;
    const mapping = await setup.admin
      .post('/mappings', { group: { by, value: by === 'id' ? id : displayName }, role: 'analyst' })
      .expect(201);
    return { id, mappingId: mapping.body.id as string };
  }
  const roleOf = async (setup: Awaited<ReturnType<typeof setUp>>, userId: string) =>
    (await setup.scim.get(`/Users/${userId}`)).body[ROSTER_URN].role as string;
  const membersOf = async (setup: Awaited<ReturnType<typeof setUp>>, groupId: string) =>
    ((await setup.scim.get(`/Groups/${groupId}`)).body.members as { value: string }[])
      .map((m) => m.value)
      .sort();

  test('a deleted group and a removed member count; once the brake holds, a group change that would leave anyone without a role is held and writes nothing', async () => {
    const setup = await setUp();
    const { scim, ids, admin, deactivate } = setup;
    const first = await mappedGroup(setup, unique('Team One'), ids.slice(0, 3));
    const secondName = unique('Team Two');
    const second = await mappedGroup(setup, secondName, ids.slice(3, 6), 'displayName');
    await scim.delete(`/Groups/${first.id}`).expect(204);
    expect((await admin.get('/deprovisioning')).body).toMatchObject({
      recent: 3,
      lostRoleThroughGroups: 3,
      held: false,
    });
    await scim
      .patch(`/Groups/${second.id}`, patchOp({ op: 'remove', path: `members[value eq "${ids[3]}"]` }))
      .expect(204);
    expect((await admin.get('/deprovisioning')).body).toMatchObject({ recent: 4, limit: 4, held: true });
    // The same hourly budget: the next SCIM deactivation is held as well.
    expectScimError(await deactivate(ids[20]), 503);

    // Adding members takes nobody's access away: it goes through.
    await scim
      .patch(`/Groups/${second.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids[6] }] }))
      .expect(204);
    const before = await membersOf(setup, second.id);
    const replace = patchOp({ op: 'replace', path: 'members', value: [{ value: ids[6] }] });
    const held = await scim.patch(`/Groups/${second.id}`, replace);
    const body = expectScimError(held, 503);
    expect(held.headers['retry-after']).toBe('600');
    expect(body.detail).toMatch(
      /Held: this change would leave 2 users without a role.*Owner or Admin must approve/,
    );
    expectScimError(await scim.put(`/Groups/${second.id}`, groupBody(secondName, [ids[6]])), 503);
    const rename = patchOp({ op: 'replace', path: 'displayName', value: `${secondName} (old)` });
    expectScimError(await scim.patch(`/Groups/${second.id}`, rename), 503);
    expectScimError(await scim.delete(`/Groups/${second.id}`), 503);
    expect(await membersOf(setup, second.id)).toEqual(before);
    expect((await scim.get(`/Groups/${second.id}`)).body.displayName).toBe(secondName);
    expect(await roleOf(setup, ids[4])).toBe('Analyst');

    await admin.post('/deprovisioning/approve').expect(200);
    await scim.patch(`/Groups/${second.id}`, rename).expect(204);
    expect(await roleOf(setup, ids[4])).toBe('none');
    expect((await admin.get('/deprovisioning')).body).toMatchObject({ recent: 7, lostRoleThroughGroups: 7 });
  });

  test("an admin's mapping removal counts toward the brake but is never held by it", async () => {
    const setup = await setUp();
    const { ids, admin, deactivate } = setup;
    const group = await mappedGroup(setup, unique('Team Three'), ids.slice(0, 5));
    for (const id of ids.slice(10, 14)) await deactivate(id).expect(200);
    expect((await admin.get('/deprovisioning')).body).toMatchObject({ recent: 4, held: true });
    await admin.delete(`/mappings/${group.mappingId}`).expect(204);
    expect(await roleOf(setup, ids[0])).toBe('none');
    expect((await admin.get('/deprovisioning')).body).toMatchObject({
      recent: 9,
      lostRoleThroughGroups: 5,
      held: true,
    });
  });
});

test('one SCIM group change that would take more access than the hour allows is held as a whole', async () => {
  const { scim, ids, admin } = await setUp();
  const group = (
    await scim
      .post('/Groups', {
        schemas: [GROUP_URN],
        displayName: unique('Everyone'),
        members: ids.slice(0, 5).map((value) => ({ value })),
      })
      .expect(201)
  ).body.id as string;
  await admin.post('/mappings', { group: { by: 'id', value: group }, role: 'analyst' }).expect(201);
  expectScimError(await scim.delete(`/Groups/${group}`), 503);
  await scim.get(`/Groups/${group}`).expect(200);
  expect((await admin.get('/deprovisioning')).body).toMatchObject({ recent: 0, limit: 4, held: false });
});
