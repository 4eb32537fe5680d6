/**
 * A Microsoft Entra ID provisioning cycle, step by step in the order Entra sends it, with the
 * literal bodies of shared/design/idp-interop.md (#7, #10, #11, #15, #21, #22, #25, #32-#38).
 * Each step builds on the one before, as in a real run.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createAccount, SCIM_BASE, startRoster, type TestAccount, type TestRoster } from '../support/roster';
import {
  ENTERPRISE_URN,
  expectList,
  expectScimError,
  GROUP_URN,
  LIST_URN,
  USER_URN,
  type Json,
} from './scim-helpers';

let roster: TestRoster;
let account: TestAccount;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
});
afterAll(() => roster.stop());

/** Entra sends application/scim+json, and its Test Connection arrives without a User-Agent (#5). */
function entra(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) {
  const req = request(roster.app)
    [method](`/scim/v2${path}`)
    .set('Authorization', `Bearer ${account.token}`)
    .unset('User-Agent');
  return body === undefined
    ? req
    : req.set('Content-Type', 'application/scim+json; charset=utf-8').send(JSON.stringify(body));
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const q = (filter: string) => encodeURIComponent(filter);

const userObjectId = randomUUID();
const managerObjectId = randomUUID();
const groupObjectId = randomUUID();

function entraUser(objectId: string, userName: string) {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: objectId,
    userName,
    active: true,
    addresses: null,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    [ENTERPRISE_URN]: { manager: null, department: null },
  };
}

describe('Entra ID provisioning cycle', () => {
  let user: Json;
  let manager: Json;
  let group: Json;

  const members = async () => {
    const res = await entra('get', `/Groups/${group.id}`);
    expect(res.status).toBe(200);
    return ((res.body.members ?? []) as Json[]).map((m) => m.value as string).sort();
  };

  it('1. test connection: a random guid matches nothing, in exactly the expected shape', async () => {
    const res = await entra('get', `/Users?filter=${q(`userName eq "${randomUUID()}"`)}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({
      schemas: [LIST_URN],
      totalResults: 0,
      Resources: [],
      startIndex: 1,
      itemsPerPage: 0,
    });
  });

  it('2. matching by externalId and by work email finds nobody yet', async () => {
    expect(
      expectList(await entra('get', `/Users?filter=${q(`externalId eq "${userObjectId}"`)}`)).totalResults,
    ).toBe(0);
    const byEmail = `emails[type eq "work"].value eq "Test_User_${userObjectId}@contoso.test"`;
    expect(expectList(await entra('get', `/Users?filter=${q(byEmail)}`)).totalResults).toBe(0);
  });

  it('3. create user, nulls and all: 201 with id and meta', async () => {
    const res = await entra(
      'post',
      '/Users',
      entraUser(userObjectId, `Test_User_${userObjectId}@contoso.test`),
    );

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      externalId: userObjectId,
      userName: `Test_User_${userObjectId}@contoso.test`,
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      meta: { resourceType: 'User', location: `${SCIM_BASE}/Users/${res.body.id}` },
    });
    expect(res.body).not.toHaveProperty('addresses');
    user = res.body;
  });

  it('4. the user is now found by externalId and by work email', async () => {
    const byId = expectList(await entra('get', `/Users?filter=${q(`externalId eq "${userObjectId}"`)}`));
    expect(byId.Resources.map((u: Json) => u.id)).toEqual([user.id]);
    const byEmail = `emails[type eq "work"].value eq "test_user_${userObjectId}@contoso.test"`;
    expect(
      expectList(await entra('get', `/Users?filter=${q(byEmail)}`)).Resources.map((u: Json) => u.id),
    ).toEqual([user.id]);
  });

  it('5. create the manager and set it with the Add manager shape; the reference check finds it', async () => {
    manager = (
      await entra('post', '/Users', entraUser(managerObjectId, `Manager_${managerObjectId}@contoso.test`))
    ).body;

    const res = await entra(
      'patch',
      `/Users/${user.id}`,
      patch({
        op: 'Add',
        path: 'manager',
        value: [{ $ref: `${SCIM_BASE}/Users/${manager.id}`, value: manager.id }],
      }),
    );

    expect(res.status).toBe(200);
    const check = expectList(
      await entra('get', `/Users?filter=${q(`id eq "${user.id}" and manager eq "${manager.id}"`)}`),
    );
    expect(check.Resources.map((u: Json) => u.id)).toEqual([user.id]);
  });

  it('6. group lookup before create finds nothing, without members', async () => {
    const res = await entra(
      'get',
      `/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales"')}`,
    );
    expect(expectList(res).totalResults).toBe(0);
  });

  it('7. create group: 201, with no members', async () => {
    const res = await entra('post', '/Groups', {
      schemas: [GROUP_URN, ADSCIM_GROUP],
      externalId: groupObjectId,
      displayName: 'Sales',
      meta: { resourceType: 'Group' },
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      displayName: 'Sales',
      externalId: groupObjectId,
    });
    group = res.body;
    expect(await members()).toEqual([]);
  });

  it('8. add members with $ref null: 204, and both are members', async () => {
    const res = await entra(
      'patch',
      `/Groups/${group.id}`,
      patch({
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: user.id },
          { $ref: null, value: manager.id },
        ],
      }),
    );

    expect(res.status).toBe(204);
    expect(await members()).toEqual([user.id, manager.id].sort());
  });

  it('9. the group is found by displayName without members, and by id', async () => {
    const list = expectList(
      await entra('get', `/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales"')}`),
    );
    expect(list.Resources).toEqual([expect.objectContaining({ id: group.id, displayName: 'Sales' })]);
    expect(list.Resources[0]).not.toHaveProperty('members');
    const one = await entra('get', `/Groups/${group.id}?excludedAttributes=members`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('members');
  });

  it('10. rename the group: 204, and the members stay', async () => {
    const res = await entra(
      'patch',
      `/Groups/${group.id}`,
      patch({ op: 'Replace', path: 'displayName', value: 'Sales EMEA' }),
    );

    expect(res.status).toBe(204);
    expect((await entra('get', `/Groups/${group.id}`)).body.displayName).toBe('Sales EMEA');
    expect(await members()).toEqual([user.id, manager.id].sort());
  });

  it('11. update the user with the default multi-attribute PATCH', async () => {
    const res = await entra(
      'patch',
      `/Users/${user.id}`,
      patch(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: `x.${userObjectId}@contoso.test` },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: `${ENTERPRISE_URN}:employeeNumber`, value: 'Eqpj' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 (555) 010-0100' },
      ),
    );

    expect(res.status).toBe(200);
    const after = (await entra('get', `/Users/${user.id}`)).body;
    expect(after).toMatchObject({
      displayName: 'Pvlo',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      emails: [{ type: 'work', primary: true, value: `x.${userObjectId}@contoso.test` }],
      phoneNumbers: [{ type: 'work', value: '+1 (555) 010-0100' }],
      [ENTERPRISE_URN]: { employeeNumber: 'Eqpj', manager: { value: manager.id } },
    });
  });

  it('12. disable with "False": the user is still returned, with active false', async () => {
    const res = await entra(
      'patch',
      `/Users/${user.id}`,
      patch({ op: 'Replace', path: 'active', value: 'False' }),
    );

    expect(res.status).toBe(200);
    expect((await entra('get', `/Users/${user.id}`)).body).toMatchObject({ id: user.id, active: false });
    const byId = expectList(await entra('get', `/Users?filter=${q(`externalId eq "${userObjectId}"`)}`));
    expect(byId.Resources).toEqual([expect.objectContaining({ id: user.id, active: false })]);
  });

  it('13. remove one member: only the listed id goes', async () => {
    const res = await entra(
      'patch',
      `/Groups/${group.id}`,
      patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: user.id }] }),
    );

    expect(res.status).toBe(204);
    expect(await members()).toEqual([manager.id]);
    expect((await entra('get', `/Users/${user.id}`)).body.groups).toEqual([]);
  });

  it('14. hard delete the user: 204, then 404, and its externalId matches nobody', async () => {
    const res = await entra('delete', `/Users/${user.id}`);

    expect(res.status).toBe(204);
    expectScimError(await entra('get', `/Users/${user.id}`), 404);
    expect(
      expectList(await entra('get', `/Users?filter=${q(`externalId eq "${userObjectId}"`)}`)).totalResults,
    ).toBe(0);
    expect(await members()).toEqual([manager.id]);
  });

  it('15. delete the group: 204, never 400', async () => {
    const res = await entra('delete', `/Groups/${group.id}`);

    expect(res.status).toBe(204);
    expectScimError(await entra('get', `/Groups/${group.id}`), 404);
    expect((await entra('get', `/Users/${manager.id}`)).body.groups).toEqual([]);
  });
});
