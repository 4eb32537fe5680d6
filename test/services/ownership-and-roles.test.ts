import request from 'supertest';
import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;

beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const newUser = async (extra: Record<string, unknown> = {}) => {
    counter += 1;
    return (await scim.post('/Users', aUser(`person${counter}@example.test`, extra)).expect(201)).body
      .id as string;
  };
  const member = (userId: string): Actor => ({
    kind: 'member',
    accountId: account.accountId,
    userId: userId as UserId,
    channel: 'admin-api',
  });
  const owner = member(account.ownerId);
  const roleOf = async (userId: string) =>
    (await roster.services.roles.roleOf(account.operator, userId)).roleKey;
  const ownerId = async () => (await roster.services.accounts.get(account.accountId)).ownerId;
  return { account, scim, newUser, member, owner, roleOf, ownerId };
}

describe('ownership transfer (roles.md rule 3)', () => {
  test('only the current Owner starts it; the prior Owner becomes Admin; only the new Owner can reverse it', async () => {
    const { account, newUser, member, owner, roleOf, ownerId } = await setUp();
    const admin = await newUser();
    await roster.services.roles.assign(owner, admin, 'admin');
    await expect(roster.services.ownership.transfer(member(admin), admin)).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'account.transfer_owner_only',
    });
    await roster.services.ownership.transfer(owner, admin);
    expect(await ownerId()).toBe(admin);
    expect(await roleOf(admin)).toBe('owner');
    expect(await roleOf(account.ownerId)).toBe('admin');
    await expect(roster.services.ownership.transfer(owner, account.ownerId)).rejects.toMatchObject({
      code: 'account.transfer_owner_only',
    });
    await roster.services.ownership.transfer(member(admin), account.ownerId);
    expect(await ownerId()).toBe(account.ownerId);
    expect(await roleOf(account.ownerId)).toBe('owner');
  });

  test('the new Owner must be an active user of this account', async () => {
    const { scim, newUser, owner, ownerId, account } = await setUp();
    const leaver = await newUser();
    await scim.patch(`/Users/${leaver}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
    await expect(roster.services.ownership.transfer(owner, leaver)).rejects.toMatchObject({
      kind: 'precondition',
      code: 'account.new_owner_inactive',
    });
    const stranger = await setUp();
    await expect(roster.services.ownership.transfer(owner, stranger.account.ownerId)).rejects.toMatchObject({
      kind: 'not_found',
    });
    expect(await ownerId()).toBe(account.ownerId);
  });

  test('an operator can force it with a reason, audited; nobody else can', async () => {
    const { account, newUser, owner, ownerId } = await setUp();
    const heir = await newUser();
    await expect(roster.services.ownership.forceTransfer(owner, heir, 'gone')).rejects.toMatchObject({
      kind: 'forbidden',
    });
    await expect(roster.services.ownership.forceTransfer(account.operator, heir, ' ')).rejects.toMatchObject({
      code: 'account.force_transfer_reason_required',
    });
    await roster.services.ownership.forceTransfer(account.operator, heir, 'Owner left the company');
    expect(await ownerId()).toBe(heir);
    const audit = await roster.uow.read((tx) => tx.audit.list(account.accountId));
    expect(audit.find((e) => e.action === 'account.ownership_transferred')).toMatchObject({
      actorKind: 'operator',
      after: { owner: heir, reason: 'Owner left the company', forced: true },
    });
  });

  test('20 racing transfers and owner deletions leave exactly one Owner', async () => {
    const { account, newUser, owner, scim } = await setUp();
    const candidates = await Promise.all(Array.from({ length: 5 }, () => newUser()));
    const attempts = await Promise.allSettled([
      ...Array.from({ length: 15 }, (_, i) => roster.services.ownership.transfer(owner, candidates[i % 5])),
      ...Array.from({ length: 5 }, () => scim.delete(`/Users/${account.ownerId}`)),
    ]);
    const transfers = attempts.slice(0, 15).filter((a) => a.status === 'fulfilled');
    expect(transfers).toHaveLength(1);
    const rows = await roster.dataSource.query('SELECT user_id FROM account_owners WHERE account_id = ?', [
      account.accountId,
    ]);
    expect(rows).toHaveLength(1);
    expect(candidates).toContain(rows[0].user_id);
    // Whoever is Owner now exists; the prior Owner may have been deleted once no longer Owner.
    expect((await scim.get(`/Users/${rows[0].user_id}`)).status).toBe(200);
  });
});

describe('the Owner through SCIM (roles.md rules 2 and 7)', () => {
  test('DELETE of the Owner is refused with a detail that says to transfer ownership first', async () => {
    const { account, scim } = await setUp();
    const res = await scim.delete(`/Users/${account.ownerId}`);
    expect(res.status).toBe(412);
    expect(res.body.detail).toMatch(/transfer ownership first/);
    expect((await scim.get(`/Users/${account.ownerId}`)).status).toBe(200);
  });

  test('active=false on the Owner is accepted, keeps ownership, and flags the account', async () => {
    const { account, scim, ownerId } = await setUp();
    await scim
      .patch(`/Users/${account.ownerId}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }))
      .expect(200);
    const after = await roster.services.accounts.get(account.accountId);
    expect(after.ownerId).toBe(account.ownerId);
    expect(after.needsOwnershipTransfer).toBe(true);
    await scim
      .patch(`/Users/${account.ownerId}`, patchOp({ op: 'replace', value: { active: true } }))
      .expect(200);
    expect((await roster.services.accounts.get(account.accountId)).needsOwnershipTransfer).toBe(false);
    expect(await ownerId()).toBe(account.ownerId);
  });

  test("Okta's re-POST of the deactivated Owner restores them and clears the transfer flag, as active=true does", async () => {
    const { account, scim, ownerId } = await setUp();
    const owner = (await scim.get(`/Users/${account.ownerId}`)).body;
    await scim
      .patch(`/Users/${account.ownerId}`, patchOp({ op: 'replace', path: 'externalId', value: '00u-owner' }))
      .expect(200);
    await scim
      .patch(`/Users/${account.ownerId}`, patchOp({ op: 'replace', value: { active: false } }))
      .expect(200);
    expect((await roster.services.accounts.get(account.accountId)).needsOwnershipTransfer).toBe(true);

    const back = await scim.post('/Users', aUser(owner.userName, { externalId: '00u-owner' }));
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ id: account.ownerId, active: true });
    expect((await roster.services.accounts.get(account.accountId)).needsOwnershipTransfer).toBe(false);
    expect(await ownerId()).toBe(account.ownerId);
  });
});

describe('closing an account', () => {
  test('only the Owner (or an operator) closes it, and its SCIM tokens stop working at once', async () => {
    const { account, newUser, member, owner, roleOf } = await setUp();
    const admin = await newUser();
    await roster.services.roles.assign(owner, admin, 'admin');
    expect(await roleOf(admin)).toBe('admin');
    await expect(roster.services.ownership.close(member(admin))).rejects.toMatchObject({
      code: 'account.close_owner_only',
    });
    await request(roster.app)
      .get('/scim/v2/Users')
      .set('Authorization', `Bearer ${account.token}`)
      .expect(200);
    await roster.services.ownership.close(owner);
    await request(roster.app)
      .get('/scim/v2/Users')
      .set('Authorization', `Bearer ${account.token}`)
      .expect(401);
  });
});

describe('roles by hand and the default role', () => {
  test('an Admin assigns a role; a role that comes from a group cannot be changed by hand', async () => {
    const { scim, newUser, owner, member, roleOf } = await setUp();
    const admin = await newUser();
    await roster.services.roles.assign(owner, admin, 'admin');
    const target = await newUser();
    await roster.services.roles.assign(member(admin), target, 'manager');
    expect(await roleOf(target)).toBe('manager');
    const g = (
      await scim.post('/Groups', { displayName: 'Analysts', members: [{ value: target }] }).expect(201)
    ).body.id;
    await roster.services.mappings.add(owner, { matchKind: 'id', matchValue: g, roleKey: 'analyst' });
    expect(await roleOf(target)).toBe('analyst');
    await expect(roster.services.roles.assign(member(admin), target, 'support')).rejects.toMatchObject({
      kind: 'precondition',
      code: 'role.managed_by_group',
      message: expect.stringContaining('Analysts'),
    });
  });

  test('nobody changes the Owner by hand or hands out the owner role; a Manager cannot assign roles', async () => {
    const { account, newUser, owner, member } = await setUp();
    const manager = await newUser();
    await roster.services.roles.assign(owner, manager, 'manager');
    await expect(roster.services.roles.assign(owner, account.ownerId, 'admin')).rejects.toMatchObject({
      code: 'role.owner_unchangeable',
    });
    await expect(roster.services.roles.assign(owner, manager, 'owner')).rejects.toMatchObject({
      code: 'role.owner_by_transfer_only',
    });
    const other = await newUser();
    await expect(roster.services.roles.assign(member(manager), other, 'support')).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });

  test('the default role applies to users with no group role and no role by hand', async () => {
    const { newUser, owner, roleOf } = await setUp();
    const before = await newUser();
    await roster.services.roles.setDefault(owner, 'support');
    expect(await roleOf(before)).toBe('support');
    const after = await newUser();
    expect(await roleOf(after)).toBe('support');
    await roster.services.roles.assign(owner, after, 'analyst');
    expect(await roleOf(after)).toBe('analyst');
    await roster.services.roles.setDefault(owner, null);
    expect(await roleOf(before)).toBeNull();
  });
});

describe('only the Owner and Admins manage users, and nobody else touches the Owner (rules 5 and 6)', () => {
  test('an Admin cannot change, deactivate or delete the Owner, but manages other users', async () => {
    const { account, newUser, owner, member, scim } = await setUp();
    const admin = await newUser();
    await roster.services.roles.assign(owner, admin, 'admin');
    const deactivate = (current: Parameters<Parameters<typeof roster.services.users.modify>[2]>[0]) => ({
      ...current,
      active: false,
    });
    await expect(
      roster.services.users.modify(member(admin), account.ownerId, deactivate),
    ).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'account.owner_protected',
    });
    // Deleting the Owner gets the refusal everyone gets: transfer ownership first.
    await expect(roster.services.users.delete(member(admin), account.ownerId)).rejects.toMatchObject({
      code: 'account.owner_undeletable',
    });
    expect((await scim.get(`/Users/${account.ownerId}`)).body.active).toBe(true);
    const someone = await newUser();
    await roster.services.users.modify(member(admin), someone, deactivate);
    expect((await scim.get(`/Users/${someone}`)).body.active).toBe(false);
  });

  test('a Manager cannot edit or delete users', async () => {
    const { newUser, owner, member } = await setUp();
    const manager = await newUser();
    await roster.services.roles.assign(owner, manager, 'manager');
    const someone = await newUser();
    await expect(roster.services.users.delete(member(manager), someone)).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });
});
