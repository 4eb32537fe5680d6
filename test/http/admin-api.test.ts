import request from 'supertest';
import { z } from 'zod';
import {
  accountSchema,
  accessReview,
  errorBody,
  mappingSchema,
  memberPage,
  memberSchema,
} from '../../src/adapters/http/api/api-schemas';
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

let counter = 0;

/** An account with an Owner key, an Admin, a Manager and an Analyst (each with a key), and the service key. */
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const person = async (role: string | null, extra: Record<string, unknown> = {}) => {
    counter += 1;
    const userName = `admin-api${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName, extra)).expect(201)).body.id as string;
    if (role) await roster.services.roles.assign(account.operator, id, role);
    const key = role ? (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret : '';
    return { id, userName, key };
  };
  const ownerUserName = (await scim.get(`/Users/${account.ownerId}`)).body.userName as string;
  const ownerKey = (await roster.services.apiKeys.issueForMember(account.operator, ownerUserName)).secret;
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  const api = (key: string) => apiClient(roster, key);
  const admin = await person('admin');
  const manager = await person('manager');
  const analyst = await person('analyst');
  return { account, scim, person, ownerKey, serviceKey, api, admin, manager, analyst };
}

const group = async (scim: ReturnType<typeof scimClient>, name: string, members: string[]) =>
  (
    await scim
      .post('/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: name,
        members: members.map((value) => ({ value })),
      })
      .expect(201)
  ).body.id as string;

const parse = <T extends z.ZodType>(schema: T, body: unknown): z.output<T> => schema.parse(body);

describe('members', () => {
  test('the list pages by cursor and filters by role, status and source', async () => {
    const { api, serviceKey, person, scim } = await setUp();
    const gone = await person('analyst');
    await scim
      .patch(`/Users/${gone.id}`, patchOp({ op: 'replace', path: 'active', value: false }))
      .expect(200);
    await person(null);
    const service = api(serviceKey);

    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = parse(memberPage, (await service.get(`/members${query}`).expect(200)).body);
      expect(page.members.length).toBeLessThanOrEqual(2);
      all.push(...page.members.map((m) => m.userName));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(6);
    expect([...all].sort()).toEqual(all);

    const analysts = parse(memberPage, (await service.get('/members?role=analyst').expect(200)).body);
    expect(analysts.members.map((m) => m.role)).toEqual(['analyst', 'analyst']);
    const inactive = parse(memberPage, (await service.get('/members?status=inactive').expect(200)).body);
    expect(inactive.members.map((m) => m.userName)).toEqual([gone.userName]);
    expect(inactive.members[0].permissions).toEqual([]);
    const roleless = parse(memberPage, (await service.get('/members?role=none').expect(200)).body);
    expect(roleless.members).toHaveLength(1);
    expect(roleless.members[0].roleSource).toBeNull();
    const owners = parse(memberPage, (await service.get('/members?source=owner').expect(200)).body);
    expect(owners.members.map((m) => m.role)).toEqual(['owner']);
  });

  test('a member shows their role, where it comes from, and their permissions', async () => {
    const { api, admin, person, scim, ownerKey } = await setUp();
    const someone = await person(null);
    await group(scim, 'Campaign Team', [someone.id]);
    await api(ownerKey)
      .post('/mappings', {
        group: { by: 'displayName', value: 'campaign team' },
        role: 'campaign_coordinator',
      })
      .expect(201);
    const member = parse(memberSchema, (await api(admin.key).get(`/members/${someone.id}`).expect(200)).body);
    expect(member).toMatchObject({
      role: 'campaign_coordinator',
      roleName: 'Campaign Coordinator',
      roleSource: 'group',
      roleGroup: 'Campaign Team',
      status: 'active',
    });
    expect(member.permissions).toContain('campaigns.send');
    expect(member.permissions).not.toContain('users.edit');
  });

  test('an Admin sets a role by hand; a role from a mapped group is refused naming the group', async () => {
    const { api, admin, person, scim, ownerKey } = await setUp();
    const someone = await person(null);
    const changed = await api(admin.key).put(`/members/${someone.id}/role`, { role: 'analyst' }).expect(200);
    expect(parse(memberSchema, changed.body)).toMatchObject({ role: 'analyst', roleSource: 'manual' });

    await group(scim, 'Marketing', [someone.id]);
    await api(ownerKey).post('/mappings', {
      group: { by: 'displayName', value: 'Marketing' },
      role: 'manager',
    });
    const refused = await api(admin.key).put(`/members/${someone.id}/role`, { role: 'support' }).expect(412);
    expect(parse(errorBody, refused.body).error).toEqual({
      code: 'role.managed_by_group',
      message: expect.stringContaining('"Marketing"'),
    });
    const after = parse(memberSchema, (await api(admin.key).get(`/members/${someone.id}`)).body);
    expect(after).toMatchObject({ role: 'manager', roleSource: 'group', manualRole: 'analyst' });
  });

  test('nobody hands out the Owner role, and a Manager cannot assign roles; nothing changes', async () => {
    const { api, admin, manager, analyst } = await setUp();
    const owner = await api(admin.key).put(`/members/${analyst.id}/role`, { role: 'owner' }).expect(400);
    expect(owner.body.error.code).toBe('role.owner_by_transfer_only');
    const denied = await api(manager.key).put(`/members/${analyst.id}/role`, { role: 'admin' }).expect(403);
    expect(denied.body.error.code).toBe('access.denied');
    expect((await api(admin.key).get(`/members/${analyst.id}`)).body.role).toBe('analyst');
  });

  test('permissions are granted and restricted on top of the role; a missing prerequisite names both', async () => {
    const { api, admin, analyst } = await setUp();
    const refused = await api(admin.key)
      .put(`/members/${analyst.id}/permissions`, {
        mode: 'role',
        granted: ['users.edit'],
        restricted: ['users.view'],
      })
      .expect(400);
    expect(refused.body.error.code).toBe('permissions.prerequisite_missing');
    expect(refused.body.error.message).toMatch(/users\.edit requires users\.view/);

    const granted = await api(admin.key)
      .put(`/members/${analyst.id}/permissions`, { mode: 'role', granted: ['users.view'], restricted: [] })
      .expect(200);
    expect(parse(memberSchema, granted.body).permissions).toContain('users.view');
    const none = await api(admin.key)
      .put(`/members/${analyst.id}/permissions`, { mode: 'none', granted: [], restricted: [] })
      .expect(200);
    expect(none.body.permissions).toEqual([]);
    const body = await api(admin.key).put(`/members/${analyst.id}/permissions`, { mode: 'some' }).expect(400);
    expect(body.body.error.code).toBe('request.invalid');
  });

  test('members without users.view are refused; the service key reads but never writes', async () => {
    const { api, analyst, serviceKey, manager } = await setUp();
    expect((await api(analyst.key).get('/members').expect(403)).body.error.code).toBe('access.denied');
    await api(serviceKey).get(`/members/${manager.id}`).expect(200);
    const write = await api(serviceKey).put(`/members/${manager.id}/role`, { role: 'support' }).expect(403);
    expect(write.body.error.code).toBe('access.denied');
    await api(serviceKey).delete(`/members/${manager.id}`).expect(403);
    expect((await api(serviceKey).get(`/members/${manager.id}`)).body.role).toBe('manager');
  });

  test('another account’s members are not found, and nothing changes', async () => {
    const { api, admin } = await setUp();
    const other = await setUp();
    await api(admin.key).get(`/members/${other.manager.id}`).expect(404);
    await api(admin.key).put(`/members/${other.manager.id}/role`, { role: 'support' }).expect(404);
    await api(admin.key).delete(`/members/${other.manager.id}`).expect(404);
    expect((await other.api(other.admin.key).get(`/members/${other.manager.id}`)).body.role).toBe('manager');
  });

  test('an Admin deletes a user; their key dies with them', async () => {
    const { api, admin, analyst, scim } = await setUp();
    await api(admin.key).delete(`/members/${analyst.id}`).expect(204);
    await scim.get(`/Users/${analyst.id}`).expect(404);
    await api(analyst.key).get('/account').expect(401);
  });
});

describe('IdP groups decide access, seen through the admin API and authorize', () => {
  test('a user moved between IdP groups gets the stronger role', async () => {
    const { api, ownerKey, person, scim } = await setUp();
    const dana = await person(null);
    const analysts = await group(scim, 'Analysts', [dana.id]);
    const managers = await group(scim, 'Managers', []);
    const owner = api(ownerKey);
    await owner.post('/mappings', { group: { by: 'id', value: analysts }, role: 'analyst' }).expect(201);
    await owner.post('/mappings', { group: { by: 'id', value: managers }, role: 'manager' }).expect(201);
    expect((await owner.get(`/members/${dana.id}`)).body.role).toBe('analyst');
    await scim
      .patch(`/Groups/${managers}`, patchOp({ op: 'add', path: 'members', value: [{ value: dana.id }] }))
      .expect(204);
    expect((await owner.get(`/members/${dana.id}`)).body).toMatchObject({
      role: 'manager',
      roleGroup: 'Managers',
    });
    await scim
      .patch(`/Groups/${analysts}`, patchOp({ op: 'remove', path: `members[value eq "${dana.id}"]` }))
      .expect(204);
    expect((await owner.get(`/members/${dana.id}`)).body.role).toBe('manager');
  });

  test('Entra removing a user from the last mapped group removes their access at once', async () => {
    const { account, api, serviceKey, scim } = await setUp();
    counter += 1;
    const userName = `entra${counter}@example.test`;
    const erin = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    const desk = await group(scim, 'Support Desk', [erin]);
    await roster.services.mappings.add(account.operator, {
      matchKind: 'displayName',
      matchValue: 'Support Desk',
      roleKey: 'support',
    });
    const erinKey = (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret;
    const ask = () => api(serviceKey).post('/authorize', { user: userName, permission: 'campaigns.view' });
    expect((await ask()).body).toEqual({ allowed: true, role: 'support', reason: 'granted_by_role' });
    await api(erinKey).post('/authorize', { user: erin, permission: 'campaigns.view' }).expect(200);
    // Entra's shape: Remove with the member listed in value.
    await scim
      .patch(`/Groups/${desk}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: erin }] }))
      .expect(204);
    expect((await ask()).body).toEqual({ allowed: false, role: null, reason: 'no_role' });
    await api(erinKey).post('/authorize', { user: erin, permission: 'campaigns.view' }).expect(401);
  });
});

describe('deleting the Owner is refused the same way through SCIM, the admin API and the CLI', () => {
  test('the same code and message, and the Owner is still there', async () => {
    const { account, api, admin, ownerKey, scim } = await setUp();
    const viaApi = await api(admin.key).delete(`/members/${account.ownerId}`).expect(412);
    const viaOwnKey = await api(ownerKey).delete(`/members/${account.ownerId}`).expect(412);
    const viaScim = await scim.delete(`/Users/${account.ownerId}`).expect(412);
    const viaCli = await roster.services.users
      .delete(account.operator, account.ownerId)
      .catch((e: Error) => e);
    expect(viaApi.body.error.code).toBe('account.owner_undeletable');
    expect(viaApi.body.error.message).toMatch(/transfer ownership first/);
    expect(viaOwnKey.body.error).toEqual(viaApi.body.error);
    expect(viaScim.body.detail).toBe(viaApi.body.error.message);
    expect(viaCli).toMatchObject({ code: 'account.owner_undeletable', message: viaApi.body.error.message });
    await scim.get(`/Users/${account.ownerId}`).expect(200);
  });
});

describe('mappings', () => {
  test('create, read, change and delete a mapping; members follow each change', async () => {
    const { api, ownerKey, person, scim, admin } = await setUp();
    const someone = await person(null);
    const groupId = await group(scim, 'Analysts', [someone.id]);
    const owner = api(ownerKey);
    const created = parse(
      mappingSchema,
      (await owner.post('/mappings', { group: { by: 'id', value: groupId }, role: 'analyst' }).expect(201))
        .body,
    );
    expect(created.group).toEqual({ by: 'id', value: groupId });
    expect((await owner.get(`/members/${someone.id}`)).body.role).toBe('analyst');
    expect(parse(mappingSchema, (await owner.get(`/mappings/${created.id}`).expect(200)).body)).toEqual(
      created,
    );
    const list = (await api(admin.key).get('/mappings').expect(200)).body.mappings as unknown[];
    expect(list).toEqual([created]);

    const changed = await owner.put(`/mappings/${created.id}`, { role: 'manager' }).expect(200);
    expect(changed.body.role).toBe('manager');
    expect((await owner.get(`/members/${someone.id}`)).body).toMatchObject({
      role: 'manager',
      roleGroup: 'Analysts',
    });

    await owner.delete(`/mappings/${created.id}`).expect(204);
    expect((await owner.get(`/members/${someone.id}`)).body.role).toBeNull();
    await owner.get(`/mappings/${created.id}`).expect(404);
  });

  test('the Owner role, an unknown role, a second mapping of a group and a Manager are refused', async () => {
    const { api, ownerKey, manager } = await setUp();
    const owner = api(ownerKey);
    const ownerRole = await owner.post('/mappings', {
      group: { by: 'displayName', value: 'Execs' },
      role: 'owner',
    });
    expect(ownerRole.status).toBe(400);
    expect(ownerRole.body.error.code).toBe('mapping.owner_role_refused');
    const unknown = await owner.post('/mappings', { group: { by: 'displayName', value: 'X' }, role: 'boss' });
    expect(unknown.body.error.code).toBe('mapping.role_unknown');
    await owner
      .post('/mappings', { group: { by: 'displayName', value: 'Ops' }, role: 'support' })
      .expect(201);
    const again = await owner.post('/mappings', {
      group: { by: 'displayName', value: 'ops' },
      role: 'analyst',
    });
    expect(again.status).toBe(409);
    const denied = await api(manager.key).post('/mappings', {
      group: { by: 'displayName', value: 'Y' },
      role: 'support',
    });
    expect(denied.status).toBe(403);
    expect((await owner.get('/mappings')).body.mappings).toHaveLength(1);
  });
});

describe('the account', () => {
  test('only the Owner transfers; the prior Owner becomes Admin; only the new Owner can reverse it', async () => {
    const { account, api, ownerKey, admin } = await setUp();
    const refused = await api(admin.key).post('/account/ownership-transfer', { to: admin.id }).expect(403);
    expect(refused.body.error.code).toBe('account.transfer_owner_only');
    const moved = parse(
      accountSchema,
      (await api(ownerKey).post('/account/ownership-transfer', { to: admin.id }).expect(200)).body,
    );
    expect(moved.ownerId).toBe(admin.id);
    expect((await api(admin.key).get(`/members/${account.ownerId}`)).body).toMatchObject({
      role: 'admin',
      roleSource: 'manual',
    });
    await api(ownerKey).post('/account/ownership-transfer', { to: account.ownerId }).expect(403);
    const back = await api(admin.key)
      .post('/account/ownership-transfer', { to: account.ownerId })
      .expect(200);
    expect(back.body.ownerId).toBe(account.ownerId);
  });

  test('the default role applies to users with no other role', async () => {
    const { api, admin, person } = await setUp();
    const someone = await person(null);
    const set = parse(
      accountSchema,
      (await api(admin.key).put('/account/default-role', { role: 'support' })).body,
    );
    expect(set.defaultRole).toBe('support');
    expect((await api(admin.key).get(`/members/${someone.id}`)).body).toMatchObject({
      role: 'support',
      roleSource: 'default',
    });
  });

  test('only the Owner closes the account; then its keys and SCIM tokens stop working at once', async () => {
    const { api, ownerKey, admin, serviceKey, scim } = await setUp();
    expect((await api(admin.key).post('/account/close').expect(403)).body.error.code).toBe(
      'account.close_owner_only',
    );
    await api(serviceKey).get('/account').expect(200);
    await api(ownerKey).post('/account/close').expect(204);
    await api(serviceKey).get('/account').expect(401);
    await api(ownerKey).get('/account').expect(401);
    await scim.get('/Users').expect(401);
  });
});

describe('the access review', () => {
  test('JSON lists every member with role, source, permissions, status, last login and MFA state', async () => {
    const { api, ownerKey, manager } = await setUp();
    const review = parse(accessReview, (await api(ownerKey).get('/access-review').expect(200)).body);
    expect(review.members).toHaveLength(4);
    const row = review.members.find((m) => m.id === manager.id);
    expect(row).toMatchObject({ role: 'manager', roleSource: 'manual', status: 'active', lastLogin: null });
    expect(row?.permissions).toContain('users.view');
    expect((await api(manager.key).get('/access-review')).status).toBe(403);
  });

  test('CSV has a header, one row per member, and a formula in a name is not run by a spreadsheet', async () => {
    const { api, ownerKey, person } = await setUp();
    await person('support', { displayName: '=HYPERLINK("http://evil.test","x")' });
    const res = await api(ownerKey).get('/access-review?format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="?access-review-\d{4}-\d\d-\d\d\.csv"?$/,
    );
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(
      'id,userName,displayName,status,role,roleName,roleSource,roleGroup,manualRole,overrideMode,granted,restricted,permissions,lastLogin,mfaRequired,mfaRequiredBy,mfaUserFlag',
    );
    expect(lines).toHaveLength(1 + 5);
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    const byAccept = await api(ownerKey).get('/access-review').set('Accept', 'text/csv').expect(200);
    expect(byAccept.text.split('\n')[0]).toBe(lines[0]);
  });
});

describe('the OpenAPI document', () => {
  test('is served without a key and describes exactly the routes the server answers', async () => {
    const doc = (await request(roster.app).get('/api/v1/openapi.json').expect(200)).body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = servedRoutes().sort();
    expect(documented).toEqual(served);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /authorize',
        'GET /members',
        'PUT /members/{userId}/role',
        'POST /mappings',
        'POST /account/ownership-transfer',
        'GET /access-review',
        'GET /audit',
      ]),
    );
  });

  test('every documented path answers (no 404 "No such endpoint") with a documented status', async () => {
    const { api, ownerKey } = await setUp();
    const doc = (await request(roster.app).get('/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path === '/account/close') continue; // would close the account for the rest of the loop
        const url = path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
        const client = api(ownerKey);
        const res =
          method === 'get'
            ? await client.get(url)
            : method === 'delete'
              ? await client.delete(url)
              : await client[method as 'post' | 'put'](url, {});
        expect({ route: `${method} ${path}`, documented: String(res.status) in op.responses }).toEqual({
          route: `${method} ${path}`,
          documented: true,
        });
      }
    }
  });
});

/** The method and path of every route the admin API router registered, in OpenAPI syntax. */
function servedRoutes(): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const appStack = (roster.app as unknown as { router: { stack: Layer[] } }).router.stack;
  const apiLayer = appStack.find((layer) =>
    layer.handle?.stack?.some((l) => l.route?.path === '/openapi.json'),
  );
  const routes: string[] = [];
  for (const layer of apiLayer?.handle?.stack ?? []) {
    if (!layer.route || layer.route.path === '/openapi.json') continue;
    for (const method of Object.keys(layer.route.methods)) {
      routes.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}
