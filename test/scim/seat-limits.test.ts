/**
 * Seat limits (shared/seeds/004 "Cannot add more users"): an IdP provisioning past the limit
 * gets a SCIM 403 whose detail an Okta or Entra admin can act on; deactivated users free seats.
 */
import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { expectList, expectScimError, uniqueEmail, USER_URN } from './scim-helpers';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function accountWithSeats(limit: number) {
  const account = await createAccount(roster);
  await roster.services.accounts.setSeatLimit(account.operator, limit);
  return { account, scim: scimClient(roster, account.token) };
}

async function countNamed(scim: ReturnType<typeof scimClient>, userName: string): Promise<number> {
  const list = expectList(await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`));
  return list.totalResults as number;
}

it('refuses a new active user once every seat is taken, with a detail naming the way out, and creates nothing', async () => {
  const { account, scim } = await accountWithSeats(2); // the Owner holds one seat
  expect((await scim.post('/Users', aUser(uniqueEmail('first')))).status).toBe(201);
  const refusedName = uniqueEmail('second');
  const body = expectScimError(await scim.post('/Users', aUser(refusedName)), 403);
  expect(body.detail).toMatch(/All 2 seats .* in use; deactivate a user or raise the seat limit/);
  expect(await countNamed(scim, refusedName)).toBe(0);
  const audit = await roster.services.audit.list(account.operator, { action: 'user.provisioned', limit: 50 });
  expect(audit.events.map((e) => e.after)).not.toContainEqual(
    expect.objectContaining({ userName: refusedName }),
  );
});

it('lets an inactive user in without a seat, and refuses to activate them while the seats are full', async () => {
  const { scim } = await accountWithSeats(1);
  const created = await scim.post('/Users', aUser(uniqueEmail('dormant'), { active: false }));
  expect(created.status).toBe(201);
  const activate = await scim.patch(
    `/Users/${created.body.id}`,
    patchOp({ op: 'replace', value: { active: true } }),
  );
  expectScimError(activate, 403);
  expect((await scim.get(`/Users/${created.body.id}`)).body.active).toBe(false);
});

it('frees a seat on deactivation; the departed user cannot come back (PATCH or Okta re-POST) while it is taken again', async () => {
  const { scim } = await accountWithSeats(2);
  const leaverName = uniqueEmail('leaver');
  const leaver = await scim.post('/Users', aUser(leaverName, { externalId: 'okta-leaver' }));
  expect(leaver.status).toBe(201);
  expect(
    (await scim.patch(`/Users/${leaver.body.id}`, patchOp({ op: 'replace', path: 'active', value: false })))
      .status,
  ).toBe(200);
  expect((await scim.post('/Users', aUser(uniqueEmail('hire')))).status).toBe(201);

  expectScimError(
    await scim.patch(`/Users/${leaver.body.id}`, patchOp({ op: 'replace', path: 'active', value: true })),
    403,
  );
  expectScimError(await scim.post('/Users', aUser(leaverName, { externalId: 'okta-leaver' })), 403);
  expectScimError(
    await scim.put(`/Users/${leaver.body.id}`, { ...aUser(leaverName), schemas: [USER_URN] }),
    403,
  );
  expect((await scim.get(`/Users/${leaver.body.id}`)).body.active).toBe(false);
});

it('gives the last seat to exactly one of many concurrent requests', async () => {
  const { scim } = await accountWithSeats(2);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => scim.post('/Users', aUser(uniqueEmail(`racer${i}`)))),
  );
  expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403, 403, 403, 403]);
});

it('shows seats in use to members, and only an operator changes the limit', async () => {
  const { account, scim } = await accountWithSeats(5);
  expect((await scim.post('/Users', aUser(uniqueEmail('member')))).status).toBe(201);
  await scim.post('/Users', aUser(uniqueEmail('gone'), { active: false }));
  const owner = (await roster.services.users.get(account.operator, account.ownerId)).user.userName;
  const key = (await roster.services.apiKeys.issueForMember(account.operator, owner)).secret;
  const api = apiClient(roster, key);
  expect((await api.get('/account/seats')).body).toEqual({ limit: 5, used: 2 });
  expect((await api.get('/account')).body.seatLimit).toBe(5);

  const ownerActor: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'admin-api',
  };
  await expect(roster.services.accounts.setSeatLimit(ownerActor, 50)).rejects.toMatchObject({
    code: 'account.plan_operator_only',
  });
  await roster.services.accounts.setSeatLimit(account.operator, null);
  expect((await api.get('/account/seats')).body).toEqual({ limit: null, used: 2 });
});
