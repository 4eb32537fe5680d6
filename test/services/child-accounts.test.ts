import type { Actor } from '../../src/domain/actor';
import type { AccountId, UserId } from '../../src/domain/ids';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;
async function aParent() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const member = (userId: string): Actor => ({
    kind: 'member',
    accountId: account.accountId,
    userId: userId as UserId,
    channel: 'admin-api',
  });
  const owner = member(account.ownerId);
  /** A user of the parent, with a role there unless null. */
  const person = async (roleKey: string | null = 'analyst') => {
    counter += 1;
    const userName = `kid${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (roleKey) await roster.services.roles.assign(owner, id, roleKey);
    return { id, userName };
  };
  const child = async (name = `Child ${++counter}`) =>
    (await roster.services.children.createChild(owner, { name })).account;
  const authorize = (user: string, permission: string, childId?: string) =>
    roster.services.authorization.authorize(account.operator, user, permission, childId);
  return { account, scim, member, owner, person, child, authorize };
}

const operatorOf = (accountId: AccountId): Actor => ({
  kind: 'operator',
  accountId,
  operator: 'test',
  channel: 'cli',
});

describe('creating child accounts', () => {
  test("the parent's Owner creates one; its Owner is, by default, the parent's Owner", async () => {
    const { account, owner } = await aParent();
    const created = await roster.services.children.createChild(owner, { name: ' Acme EU ' });
    expect(created.account).toMatchObject({ name: 'Acme EU', parentId: account.accountId, status: 'active' });
    expect(created.owner).toMatchObject({ userName: created.owner.userName, homeUserId: account.ownerId });
    expect(created.account.ownerId).toBe(created.owner.id);
    const access = await roster.services.children.accessOf(owner, account.ownerId);
    expect(access).toEqual([
      expect.objectContaining({ accountId: account.accountId, kind: 'own', access: true, role: 'owner' }),
      expect.objectContaining({ accountId: created.account.id, kind: 'child', access: true, role: 'owner' }),
    ]);
    const listed = await roster.services.children.listChildren(owner);
    expect(listed.map((c) => c.id)).toEqual([created.account.id]);
  });

  test('an Admin may create one with another Owner; a Manager may not; a child cannot have children', async () => {
    const { member, person } = await aParent();
    const admin = await person('admin');
    const manager = await person('manager');
    const created = await roster.services.children.createChild(member(admin.id), {
      name: 'By the admin',
      owner: manager.userName,
    });
    expect(created.owner.userName).toBe(manager.userName);
    await expect(
      roster.services.children.createChild(member(manager.id), { name: 'Refused' }),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'access.denied' });
    await expect(
      roster.services.children.createChild(operatorOf(created.account.id), { name: 'Grandchild' }),
    ).rejects.toMatchObject({ kind: 'precondition', code: 'child.nesting_refused' });
  });

  test('creating a child is audited in the parent and in the child', async () => {
    const { account, owner } = await aParent();
    const { account: child } = await roster.services.children.createChild(owner, { name: 'Audited' });
    const parentLog = await roster.services.audit.list(account.operator, { action: 'child.created' });
    expect(parentLog.events[0]).toMatchObject({ subjectId: child.id, actorId: account.ownerId });
    const childLog = await roster.services.audit.list(operatorOf(child.id));
    expect(childLog.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.created', 'user.role_changed']),
    );
  });
});

describe('access per user and per child', () => {
  test('access is given with a role, answers authorize in that child only, and can be changed and taken away', async () => {
    const { owner, person, child, authorize } = await aParent();
    const jane = await person('analyst');
    const eu = await child();
    const us = await child();
    await expect(authorize(jane.id, 'flows.edit_components', eu.id)).resolves.toEqual({
      allowed: false,
      role: null,
      reason: 'no_access',
    });
    const after = await roster.services.children.setAccess(owner, jane.userName, eu.id, {
      access: true,
      role: 'manager',
    });
    expect(after.find((a) => a.accountId === eu.id)).toMatchObject({ access: true, role: 'manager' });
    expect(after.find((a) => a.accountId === us.id)).toMatchObject({ access: false, role: null });
    await expect(authorize(jane.id, 'flows.edit_components', eu.id)).resolves.toEqual({
      allowed: true,
      role: 'manager',
      reason: 'granted_by_role',
    });
    await expect(authorize(jane.id, 'flows.edit_components')).resolves.toMatchObject({ allowed: false });
    await expect(authorize(jane.id, 'flows.edit_components', us.id)).resolves.toMatchObject({
      reason: 'no_access',
    });
    await roster.services.children.setAccess(owner, jane.id, eu.id, {
      access: true,
      role: 'content_creator',
    });
    await expect(authorize(jane.id, 'flows.edit_components', eu.id)).resolves.toMatchObject({
      allowed: false,
      role: 'content_creator',
    });
    await roster.services.children.setAccess(owner, jane.id, eu.id, { access: false });
    await expect(authorize(jane.id, 'flows.preview_emails', eu.id)).resolves.toMatchObject({
      reason: 'no_access',
    });
  });

  test('a first access needs a role, never the owner role, and only the Owner and Admins decide', async () => {
    const { owner, member, person, child } = await aParent();
    const jane = await person('analyst');
    const manager = await person('manager');
    const eu = await child();
    await expect(
      roster.services.children.setAccess(owner, jane.id, eu.id, { access: true }),
    ).rejects.toMatchObject({ code: 'child.role_required' });
    await expect(
      roster.services.children.setAccess(owner, jane.id, eu.id, { access: true, role: 'owner' }),
    ).rejects.toMatchObject({ code: 'role.owner_by_transfer_only' });
    await expect(
      roster.services.children.setAccess(member(manager.id), jane.id, eu.id, {
        access: true,
        role: 'analyst',
      }),
    ).rejects.toMatchObject({ kind: 'forbidden' });
  });

  test('a user always keeps at least one account; the child Owner keeps theirs', async () => {
    const { account, owner, person, child } = await aParent();
    const contractor = await person(null);
    const eu = await child();
    const us = await child();
    await roster.services.children.setAccess(owner, contractor.id, eu.id, { access: true, role: 'analyst' });
    await roster.services.children.setAccess(owner, contractor.id, us.id, { access: true, role: 'analyst' });
    await roster.services.children.setAccess(owner, contractor.id, us.id, { access: false });
    await expect(
      roster.services.children.setAccess(owner, contractor.id, eu.id, { access: false }),
    ).rejects.toMatchObject({ kind: 'precondition', code: 'access.last_account' });
    await expect(
      roster.services.children.setAccess(owner, account.ownerId, eu.id, { access: false }),
    ).rejects.toMatchObject({ code: 'child.owner_access_unremovable' });
  });

  test('deactivating the home user ends their access in every child at once; deleting them removes it', async () => {
    const { account, scim, owner, person, child, authorize } = await aParent();
    const jane = await person('analyst');
    const eu = await child();
    const us = await child();
    for (const c of [eu, us]) {
      await roster.services.children.setAccess(owner, jane.id, c.id, { access: true, role: 'admin' });
    }
    const childKey = (await roster.services.apiKeys.issueForMember(operatorOf(eu.id), jane.userName)).secret;
    await expect(roster.services.apiKeys.authenticate(childKey)).resolves.toMatchObject({ accountId: eu.id });
    await scim.patch(`/Users/${jane.id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
    for (const c of [eu, us]) {
      await expect(authorize(jane.id, 'users.view', c.id)).resolves.toMatchObject({
        allowed: false,
        reason: 'user_inactive',
      });
    }
    await expect(roster.services.apiKeys.authenticate(childKey)).rejects.toMatchObject({
      code: 'api_key.invalid',
    });
    await scim.delete(`/Users/${jane.id}`).expect(204);
    const removed = await roster.services.audit.list(account.operator, { action: 'child.access_removed' });
    expect(removed.events.map((e) => e.subjectId)).toEqual([jane.id, jane.id]);
    const euLog = await roster.services.audit.list(operatorOf(eu.id), { action: 'child.access_removed' });
    expect(euLog.events).toHaveLength(1);
  });
});

describe('renaming a parent user', () => {
  test("refreshes their managed user in every child, audited there; the child's role and active flag stay", async () => {
    const { scim, owner, person, child, authorize } = await aParent();
    const jane = await person('analyst');
    const eu = await child();
    await roster.services.children.setAccess(owner, jane.id, eu.id, { access: true, role: 'manager' });
    const [{ managedUserId }] = await roster.uow.read((tx) => tx.children.accessOf(jane.id as UserId));
    const married = `married.${jane.userName}`;
    const renamed = aUser(married, {
      name: { givenName: 'Jane', familyName: 'Doe' },
      displayName: 'Jane Doe',
    });
    await scim.put(`/Users/${jane.id}`, renamed).expect(200);

    // The stored user: a view shows the document, not the named copies (names, emails, home).
    const managed = await roster.uow.read((tx) => tx.users.get(eu.id as AccountId, managedUserId));
    expect(managed).toMatchObject({
      userName: married,
      givenName: 'Jane',
      familyName: 'Doe',
      displayName: 'Jane Doe',
      emails: [expect.objectContaining({ value: married, primary: true })],
      active: true,
      homeUserId: jane.id,
    });
    const euLog = await roster.services.audit.list(operatorOf(eu.id), { action: 'user.updated' });
    expect(euLog.events).toEqual([
      expect.objectContaining({
        subjectId: managedUserId,
        channel: 'scim',
        before: expect.objectContaining({ userName: jane.userName }),
        after: expect.objectContaining({ userName: married, home: jane.id }),
      }),
    ]);
    await expect(authorize(married, 'users.view', eu.id)).resolves.toMatchObject({
      allowed: true,
      role: 'manager',
    });
  });
});

describe('seats', () => {
  test("access to a child takes one of the child's seats; a full child refuses new access", async () => {
    const { owner, person, child } = await aParent();
    const jane = await person('analyst');
    const bob = await person('analyst');
    const eu = await child();
    await roster.services.accounts.setSeatLimit(operatorOf(eu.id), 2);
    await roster.services.children.setAccess(owner, jane.id, eu.id, { access: true, role: 'analyst' });
    await expect(
      roster.services.children.setAccess(owner, bob.id, eu.id, { access: true, role: 'analyst' }),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'account.seat_limit_reached' });
    await roster.services.children.setAccess(owner, jane.id, eu.id, { access: true, role: 'manager' });
  });
});

describe('deleting a parent user', () => {
  test("the Owner of a child is refused until that child's ownership moves, whoever asks", async () => {
    const { account, scim, owner, person } = await aParent();
    const lead = await person('admin');
    const { account: eu, owner: managedLead } = await roster.services.children.createChild(owner, {
      name: 'Led by the admin',
      owner: lead.id,
    });
    const res = await scim.delete(`/Users/${lead.id}`).expect(412);
    expect(res.body.detail).toContain('transfer its ownership first');
    await expect(roster.services.users.delete(account.operator, lead.id)).rejects.toMatchObject({
      code: 'child.owner_access_unremovable',
    });
    expect((await roster.services.accounts.get(eu.id)).ownerId).toBe(managedLead.id);
    await expect(roster.services.members.get(account.operator, lead.id)).resolves.toMatchObject({
      status: 'active',
    });
  });
});

describe('isolation', () => {
  test("a child sees nothing of its parent or siblings; another account cannot reach a parent's children", async () => {
    const { account, owner, person, child } = await aParent();
    const jane = await person('analyst');
    const eu = await child();
    const us = await child();
    await roster.services.children.setAccess(owner, jane.id, eu.id, { access: true, role: 'analyst' });
    const euOperator = operatorOf(eu.id);
    await expect(roster.services.children.listChildren(euOperator)).resolves.toEqual([]);
    await expect(
      roster.services.authorization.authorize(euOperator, jane.userName, 'users.view', us.id),
    ).rejects.toMatchObject({ kind: 'not_found' });
    await expect(
      roster.services.authorization.authorize(euOperator, jane.userName, 'users.view', account.accountId),
    ).rejects.toMatchObject({ kind: 'not_found' });
    await expect(roster.services.members.get(operatorOf(us.id), jane.userName)).rejects.toMatchObject({
      kind: 'not_found',
    });
    const stranger = await aParent();
    await expect(
      roster.services.children.setAccess(stranger.owner, stranger.account.ownerId, eu.id, {
        access: true,
        role: 'analyst',
      }),
    ).rejects.toMatchObject({ kind: 'not_found', code: 'child.not_found' });
    await expect(stranger.authorize(stranger.account.ownerId, 'users.view', eu.id)).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
