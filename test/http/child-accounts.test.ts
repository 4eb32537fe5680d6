import { z } from 'zod';
import { accessSchema, childSchema } from '../../src/adapters/http/api/child-routes';
import { authorizeAnswer, errorBody, memberPage } from '../../src/adapters/http/api/api-schemas';
import type { Actor } from '../../src/domain/actor';
import type { AccountId } from '../../src/domain/ids';
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

const operatorOf = (accountId: string): Actor => ({
  kind: 'operator',
  accountId: accountId as AccountId,
  operator: 'test',
  channel: 'cli',
});

let counter = 0;

/** A parent account with an Owner key, a Manager (with a key), the service key, and SCIM. */
async function aParent() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const person = async (role: string | null) => {
    counter += 1;
    const userName = `family${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (role) await roster.services.roles.assign(account.operator, id, role);
    return { id, userName };
  };
  const ownerUserName = (await scim.get(`/Users/${account.ownerId}`)).body.userName as string;
  const keyFor = async (accountId: string, userName: string) =>
    (await roster.services.apiKeys.issueForMember(operatorOf(accountId), userName)).secret;
  const owner = apiClient(roster, await keyFor(account.accountId, ownerUserName));
  const service = apiClient(roster, (await roster.services.apiKeys.issueService(account.operator)).secret);
  const manager = await person('manager');
  const managerApi = apiClient(roster, await keyFor(account.accountId, manager.userName));
  const newChild = async (name: string) =>
    childSchema.parse((await owner.post('/children', { name }).expect(201)).body);
  return { account, scim, person, ownerUserName, keyFor, owner, service, manager, managerApi, newChild };
}

const parse = <T extends z.ZodType>(schema: T, body: unknown): z.output<T> => schema.parse(body);

test("the Owner creates and lists child accounts; the child's Owner is the parent's Owner", async () => {
  const { account, owner, service, newChild } = await aParent();
  const eu = await newChild('Acme EU');
  expect(eu).toMatchObject({ name: 'Acme EU', parentId: account.accountId, status: 'active' });
  await newChild('Acme US');
  const listed = parse(
    z.object({ children: z.array(childSchema) }),
    (await service.get('/children').expect(200)).body,
  );
  expect(listed.children.map((c) => c.name)).toEqual(['Acme EU', 'Acme US']);
  const access = parse(
    accessSchema,
    (await owner.get(`/members/${account.ownerId}/access`).expect(200)).body,
  );
  expect(access.access.map((a) => [a.kind, a.access, a.role])).toEqual([
    ['own', true, 'owner'],
    ['child', true, 'owner'],
    ['child', true, 'owner'],
  ]);
});

test('a Manager cannot create children or give access; bad input is a 400 with a stable code', async () => {
  const { managerApi, owner, manager, newChild } = await aParent();
  const res = await managerApi.post('/children', { name: 'Nope' }).expect(403);
  expect(parse(errorBody, res.body).error.code).toBe('access.denied');
  const eu = await newChild('EU');
  await managerApi
    .put(`/members/${manager.id}/access/${eu.id}`, { access: true, role: 'analyst' })
    .expect(403);
  const invalid = await owner.post('/children', { name: '' }).expect(400);
  expect(invalid.body.error.code).toBe('request.invalid');
  const noRole = await owner.put(`/members/${manager.id}/access/${eu.id}`, { access: true }).expect(400);
  expect(noRole.body.error.code).toBe('child.role_required');
  const ownerRole = await owner
    .put(`/members/${manager.id}/access/${eu.id}`, { access: true, role: 'owner' })
    .expect(400);
  expect(ownerRole.body.error.code).toBe('role.owner_by_transfer_only');
});

test('access per user and per child answers POST /authorize with `account`', async () => {
  const { owner, service, person, newChild } = await aParent();
  const jane = await person('analyst');
  const eu = await newChild('EU');
  const us = await newChild('US');
  const ask = async (account?: string) =>
    parse(
      authorizeAnswer,
      (
        await service
          .post('/authorize', { user: jane.userName, permission: 'flows.edit_components', account })
          .expect(200)
      ).body,
    );
  expect(await ask(eu.id)).toEqual({ allowed: false, role: null, reason: 'no_access' });
  const given = await owner
    .put(`/members/${jane.id}/access/${eu.id}`, { access: true, role: 'manager' })
    .expect(200);
  expect(parse(accessSchema, given.body).access.find((a) => a.accountId === eu.id)).toMatchObject({
    access: true,
    role: 'manager',
  });
  expect(await ask(eu.id)).toEqual({ allowed: true, role: 'manager', reason: 'granted_by_role' });
  expect(await ask(us.id)).toEqual({ allowed: false, role: null, reason: 'no_access' });
  expect(await ask()).toEqual({ allowed: false, role: 'analyst', reason: 'not_granted_by_role' });
  await owner.put(`/members/${jane.id}/access/${eu.id}`, { access: false }).expect(200);
  expect(await ask(eu.id)).toEqual({ allowed: false, role: null, reason: 'no_access' });
});

test('a user always keeps one account: removing the last is a 412', async () => {
  const { owner, person, newChild } = await aParent();
  const contractor = await person(null);
  const eu = await newChild('EU');
  await owner.put(`/members/${contractor.id}/access/${eu.id}`, { access: true, role: 'analyst' }).expect(200);
  const res = await owner.put(`/members/${contractor.id}/access/${eu.id}`, { access: false }).expect(412);
  expect(res.body.error.code).toBe('access.last_account');
});

test('each child has its own SCIM tokens and keys, and sees nothing of its parent or siblings', async () => {
  const { account, scim, owner, service, person, newChild, keyFor, ownerUserName } = await aParent();
  const jane = await person('analyst');
  const eu = await newChild('EU');
  const us = await newChild('US');
  await owner.put(`/members/${jane.id}/access/${eu.id}`, { access: true, role: 'admin' }).expect(200);
  const euToken = (await roster.services.tokens.issue(operatorOf(eu.id), 'eu idp')).secret;
  const usToken = (await roster.services.tokens.issue(operatorOf(us.id), 'us idp')).secret;
  const euScim = scimClient(roster, euToken);
  const usScim = scimClient(roster, usToken);
  const euLocal = (await euScim.post('/Users', aUser('local@eu.test')).expect(201)).body.id as string;
  const usLocal = (await usScim.post('/Users', aUser('local@us.test')).expect(201)).body.id as string;

  // The child's directory: its own users and the managed users of parent users with access, nothing else.
  const euUsers = (await euScim.get('/Users?count=100').expect(200)).body.Resources as { userName: string }[];
  expect(euUsers.map((u) => u.userName).sort()).toEqual(
    [jane.userName, 'local@eu.test', ownerUserName].sort(),
  );
  for (const id of [usLocal, jane.id, account.ownerId]) await euScim.get(`/Users/${id}`).expect(404);
  await usScim.get(`/Users/${euLocal}`).expect(404);
  await scim.get(`/Users/${euLocal}`).expect(404);
  const usNames = ((await usScim.get('/Users').expect(200)).body.Resources as { userName: string }[]).map(
    (u) => u.userName,
  );
  expect(usNames).not.toContain(jane.userName);

  // Jane's key in EU administers EU only.
  const janeEu = apiClient(roster, await keyFor(eu.id, jane.userName));
  const members = parse(memberPage, (await janeEu.get('/members').expect(200)).body);
  expect(members.members.map((m) => m.id)).toContain(euLocal);
  expect((await janeEu.get('/children').expect(200)).body).toEqual({ children: [] });
  await janeEu.get(`/members/${usLocal}`).expect(404);
  const sibling = await janeEu.post('/authorize', {
    user: jane.userName,
    permission: 'users.view',
    account: us.id,
  });
  expect(sibling.status).toBe(404);
  const parent = await janeEu.post('/authorize', {
    user: jane.userName,
    permission: 'users.view',
    account: account.accountId,
  });
  expect(parent.status).toBe(404);
  await service.put(`/members/${jane.id}/access/${us.id}`, { access: true, role: 'admin' }).expect(403);

  // Another top-level account cannot reach these children at all.
  const stranger = await aParent();
  await stranger.owner
    .put(`/members/${stranger.account.ownerId}/access/${eu.id}`, { access: true, role: 'analyst' })
    .expect(404);
  await stranger.service
    .post('/authorize', { user: stranger.ownerUserName, permission: 'users.view', account: eu.id })
    .expect(404);
});

test('deactivating the home user by SCIM ends their child keys and answers at once', async () => {
  const { scim, owner, service, person, newChild, keyFor } = await aParent();
  const jane = await person('analyst');
  const eu = await newChild('EU');
  await owner.put(`/members/${jane.id}/access/${eu.id}`, { access: true, role: 'admin' }).expect(200);
  const janeEu = apiClient(roster, await keyFor(eu.id, jane.userName));
  await janeEu.get('/members').expect(200);
  await scim.patch(`/Users/${jane.id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
  expect((await janeEu.get('/members').expect(401)).body.error.code).toBe('api_key.invalid');
  const answer = await service
    .post('/authorize', { user: jane.id, permission: 'users.view', account: eu.id })
    .expect(200);
  expect(answer.body).toMatchObject({ allowed: false, reason: 'user_inactive' });
});

test("closing the parent closes its children: the child's SCIM token and keys stop at once, audited there", async () => {
  const { account, owner, newChild, ownerUserName, keyFor } = await aParent();
  const eu = await newChild('Acme Closing');
  const euToken = (await roster.services.tokens.issue(operatorOf(eu.id), 'eu')).secret;
  const euScim = scimClient(roster, euToken);
  await euScim.get('/Users').expect(200);
  const euOwner = apiClient(roster, await keyFor(eu.id, ownerUserName));
  await euOwner.get('/members').expect(200);

  expect((await euOwner.get('/account').expect(200)).body.parentId).toBe(account.accountId);
  await owner.post('/account/close').expect(204);
  await euScim.get('/Users').expect(401);
  await euOwner.get('/members').expect(401);
  const audit = await roster.services.audit.list(operatorOf(eu.id), { action: 'account.closed' });
  expect(audit.events).toHaveLength(1);
  expect(audit.events[0]).toMatchObject({ after: { status: 'closed', parentClosed: account.accountId } });
});
