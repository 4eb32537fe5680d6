/**
 * Every change to a user goes through UserService, whichever door it comes in by (account creation,
 * child accounts, the MFA flag, invitations), so the audit log and the rules are the same as for
 * SCIM: a user who appears is `user.provisioned`, a change is `user.updated` with a new version,
 * a user who goes leaves a tombstone and no dangling manager references.
 */
import type { Actor } from '../../src/domain/actor';
import type { AuditEvent } from '../../src/domain/audit/events';
import type { AccountId, UserId } from '../../src/domain/ids';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';
import { ENTERPRISE_URN, ROSTER_URN, USER_URN } from '../scim/scim-helpers';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

const operatorOf = (accountId: AccountId): Actor => ({
  kind: 'operator',
  accountId,
  operator: 'test',
  channel: 'cli',
});

const eventsAbout = async (accountId: AccountId, subjectId: string): Promise<AuditEvent[]> =>
  (await roster.services.audit.list(operatorOf(accountId), { subjectId, limit: 100 })).events;

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const owner: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'admin-api',
  };
  const person = async (role = 'analyst') => {
    counter += 1;
    const userName = `changes${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(owner, id, role);
    return { id, userName };
  };
  return { account, scim, owner, person };
}

test("a new account's Owner is provisioned like any user, by the operator who created the account", async () => {
  const { account } = await setUp();
  const provisioned = (await eventsAbout(account.accountId, account.ownerId)).filter(
    (e) => e.action === 'user.provisioned',
  );
  expect(provisioned).toEqual([
    expect.objectContaining({
      actorKind: 'operator',
      channel: 'cli',
      before: null,
      after: expect.objectContaining({ active: true, version: 1 }),
    }),
  ]);
});

test("a child's Owner and every managed user are provisioned in the child, naming their home user", async () => {
  const { account, owner, person } = await setUp();
  const jane = await person();
  const { account: child, owner: childOwner } = await roster.services.children.createChild(owner, {
    name: `Child ${counter}`,
  });
  await roster.services.children.setAccess(owner, jane.id, child.id, { access: true, role: 'manager' });
  const [{ managedUserId }] = await roster.uow.read((tx) => tx.children.accessOf(jane.id as UserId));
  for (const [managedId, homeId] of [
    [childOwner.id, account.ownerId],
    [managedUserId, jane.id],
  ]) {
    const provisioned = (await eventsAbout(child.id, managedId)).filter(
      (e) => e.action === 'user.provisioned',
    );
    expect(provisioned).toEqual([
      expect.objectContaining({
        accountId: child.id,
        actorKind: 'member',
        actorId: account.ownerId,
        after: expect.objectContaining({ active: true, home: homeId }),
      }),
    ]);
  }
});

test("taking child access away deletes the managed user as any deletion does: still named in the child's log, no report left pointing at them", async () => {
  const { owner, person } = await setUp();
  const jane = await person();
  const { account: child } = await roster.services.children.createChild(owner, { name: `Child ${counter}` });
  await roster.services.children.setAccess(owner, jane.id, child.id, { access: true, role: 'manager' });
  const [{ managedUserId }] = await roster.uow.read((tx) => tx.children.accessOf(jane.id as UserId));
  // The child's own IdP makes one of its users report to Jane there.
  const childScim = scimClient(
    roster,
    (await roster.services.tokens.issue(operatorOf(child.id), 'idp')).secret,
  );
  const report = await childScim
    .post(
      '/Users',
      aUser(`report${counter}@example.test`, {
        schemas: [USER_URN, ENTERPRISE_URN],
        [ENTERPRISE_URN]: { manager: { value: managedUserId } },
      }),
    )
    .expect(201);

  await roster.services.children.setAccess(owner, jane.id, child.id, { access: false });
  const after = (await childScim.get(`/Users/${report.body.id}`)).body;
  expect(after[ENTERPRISE_URN]?.manager).toBeUndefined();
  const managedEvents = await eventsAbout(child.id, managedUserId);
  expect(managedEvents[0]).toMatchObject({ action: 'child.access_removed', subjectName: jane.userName });
  expect(managedEvents.every((e) => e.subjectName === jane.userName)).toBe(true);
  const reportEvents = await eventsAbout(child.id, report.body.id);
  expect(reportEvents[0]).toMatchObject({
    action: 'user.updated',
    before: expect.objectContaining({ managerId: managedUserId }),
    after: expect.objectContaining({ managerId: null }),
  });
});

test('the MFA flag set by an admin is written as the IdP writes it: a new version and the same events', async () => {
  const { account, scim, owner, person } = await setUp();
  const byIdp = await person();
  const byAdmin = await person();
  const flag = { schemas: [USER_URN, ROSTER_URN], [ROSTER_URN]: { mfaRequired: true } };
  await scim
    .patch(`/Users/${byIdp.id}`, patchOp({ op: 'add', path: `${ROSTER_URN}:mfaRequired`, value: true }))
    .expect(200);
  const versionBefore = (await scim.get(`/Users/${byAdmin.id}`)).body.meta.version;
  await roster.services.mfa.setUserRequirement(owner, byAdmin.id, true);
  const afterAdmin = (await scim.get(`/Users/${byAdmin.id}`)).body;
  expect(afterAdmin.meta.version).not.toBe(versionBefore);
  expect(afterAdmin[ROSTER_URN]).toMatchObject(flag[ROSTER_URN]);

  const actions = async (userId: string) =>
    (await eventsAbout(account.accountId, userId))
      .filter((e) => e.action !== 'user.role_changed')
      .map((e) => e.action);
  expect(await actions(byIdp.id)).toEqual(['user.mfa_required_changed', 'user.updated', 'user.provisioned']);
  expect(await actions(byAdmin.id)).toEqual(await actions(byIdp.id));
  // Setting it to what it already is writes nothing.
  await roster.services.mfa.setUserRequirement(owner, byAdmin.id, true);
  expect((await scim.get(`/Users/${byAdmin.id}`)).body.meta.version).toBe(afterAdmin.meta.version);
});
