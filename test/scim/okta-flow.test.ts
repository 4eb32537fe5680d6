/**
 * An Okta provisioning run, step by step in the order Okta sends it, with the literal bodies of
 * shared/design/idp-interop.md (#8, #9, #14, #19, #20, #28-#31, #18). Each step builds on the one
 * before, as in a real run.
 */
import request from 'supertest';
import { createAccount, startRoster, type TestAccount, type TestRoster } from '../support/roster';
import {
  expectList,
  expectScimError,
  GROUP_URN,
  LIST_URN,
  ROSTER_URN,
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

/** Okta's SPEC tests send application/json (idp-interop.md #4). */
function okta(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) {
  const req = request(roster.app)
    [method](`/scim/v2${path}`)
    .set('Authorization', `Bearer ${account.token}`)
    .set('Accept', 'application/scim+json')
    .set('User-Agent', 'Okta SCIM Client 1.0.0');
  return body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body));
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const oktaCreateUser = {
  schemas: [USER_URN],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

const secondUser = {
  ...oktaCreateUser,
  userName: 'second.user@okta.local',
  emails: [{ primary: true, value: 'second.user@okta.local', type: 'work' }],
  displayName: 'Second User',
  externalId: '00ujl29u0le5T6Aj10h8',
};

describe('Okta provisioning run', () => {
  let user: Json;
  let second: Json;
  let group: Json;

  const groupMembers = async () => {
    const res = await okta('get', `/Groups/${group.id}`);
    expect(res.status).toBe(200);
    return (res.body.members as Json[]).map((m) => m.value as string).sort();
  };

  it('1. existence check: no such user yet, 200 with an empty ListResponse', async () => {
    const res = await okta(
      'get',
      '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100',
    );
    expect(expectList(res)).toEqual({
      schemas: [LIST_URN],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('2. create user: 201 with the full resource, never the password', async () => {
    const res = await okta('post', '/Users', oktaCreateUser);

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const { password: _password, groups: _groups, schemas, ...echoed } = oktaCreateUser;
    expect(res.body).toMatchObject({
      ...echoed,
      schemas: [...schemas, ROSTER_URN],
      id: expect.any(String),
      groups: [],
      meta: { resourceType: 'User' },
    });
    expect(res.body).not.toHaveProperty('password');
    user = res.body;
  });

  it('3. existence check (SPEC R9, upper case) now finds exactly that user', async () => {
    const filter = encodeURIComponent('userName eq "TEST.USER@OKTA.LOCAL"');
    const body = expectList(await okta('get', `/Users?filter=${filter}&startIndex=1&count=100`));
    expect(body.totalResults).toBe(1);
    expect(body.Resources[0]).toMatchObject({ id: user.id, userName: 'test.user@okta.local', active: true });
  });

  it('4. unknown id (SPEC R4): 404 with detail and status "404"', async () => {
    const res = await okta('get', '/Users/010101010101010101');
    expectScimError(res, 404);
  });

  it('5. profile update: GET, then PUT the whole object back with a change', async () => {
    const current = await okta('get', `/Users/${user.id}`);
    expect(current.status).toBe(200);

    const res = await okta('put', `/Users/${user.id}`, {
      ...current.body,
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: user.id,
      name: { givenName: 'Another' },
      displayName: 'Another User',
    });
    expect((await okta('get', `/Users/${user.id}`)).body).toMatchObject({ displayName: 'Another User' });
  });

  it('6. push group: 201 with an empty member list', async () => {
    const res = await okta('post', '/Groups', {
      schemas: [GROUP_URN],
      displayName: 'Test SCIMv2',
      members: [],
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), displayName: 'Test SCIMv2', members: [] });
    group = res.body;
  });

  it('7. membership update with the rename Okta sends along: the member is added', async () => {
    const res = await okta('patch', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2' } },
        { op: 'add', path: 'members', value: [{ value: user.id, display: 'test.user@okta.local' }] },
      ],
    });

    expect([200, 204]).toContain(res.status);
    expect(await groupMembers()).toEqual([user.id]);
    const member = await okta('get', `/Users/${user.id}`);
    expect(member.body.groups).toEqual([
      expect.objectContaining({ value: group.id, display: 'Test SCIMv2' }),
    ]);
  });

  it('8. one PATCH renames, removes one member and adds another', async () => {
    second = (await okta('post', '/Users', secondUser)).body;

    const res = await okta('patch', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2 Renamed' } },
        { op: 'remove', path: `members[value eq "${user.id}"]` },
        { op: 'add', path: 'members', value: [{ value: second.id, display: 'second.user@okta.local' }] },
      ],
    });

    expect([200, 204]).toContain(res.status);
    expect(await groupMembers()).toEqual([second.id]);
    expect((await okta('get', `/Groups/${group.id}`)).body.displayName).toBe('Test SCIMv2 Renamed');
    expect((await okta('get', `/Users/${user.id}`)).body.groups).toEqual([]);
  });

  it('9. full member replace', async () => {
    const res = await okta('patch', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2 Renamed' } },
        {
          op: 'replace',
          path: 'members',
          value: [
            { value: user.id, display: 'test.user@okta.local' },
            { value: second.id, display: 'second.user@okta.local' },
          ],
        },
      ],
    });

    expect([200, 204]).toContain(res.status);
    expect(await groupMembers()).toEqual([user.id, second.id].sort());
  });

  it('10. deactivate: 200 with active false, and the user is still readable', async () => {
    const res = await okta('patch', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, active: false });
    expect((await okta('get', `/Users/${user.id}`)).body.active).toBe(false);
    const filter = encodeURIComponent('userName eq "test.user@okta.local"');
    const body = expectList(await okta('get', `/Users?filter=${filter}&startIndex=1&count=100`));
    expect(body.Resources).toEqual([expect.objectContaining({ id: user.id, active: false })]);
  });

  it('11. reprovision: a fresh POST with the same externalId restores the same user', async () => {
    const res = await okta('post', '/Users', oktaCreateUser);

    expect([200, 201]).toContain(res.status);
    expect(res.body).toMatchObject({ id: user.id, active: true, displayName: 'Test User' });
    expect(res.body).not.toHaveProperty('password');
    const filter = encodeURIComponent('externalId eq "00ujl29u0le5T6Aj10h7"');
    const body = expectList(await okta('get', `/Users?filter=${filter}`));
    expect(body.Resources).toEqual([expect.objectContaining({ id: user.id, active: true })]);
  });

  it('12. a re-POST of an active user is still a 409 uniqueness', async () => {
    const res = await okta('post', '/Users', secondUser);
    expectScimError(res, 409, 'uniqueness');
  });

  it('13. deactivate and reactivate through PUT (AIW apps)', async () => {
    const current = (await okta('get', `/Users/${second.id}`)).body;
    const off = await okta('put', `/Users/${second.id}`, { ...current, active: false });
    expect(off.status).toBe(200);
    expect((await okta('get', `/Users/${second.id}`)).body.active).toBe(false);

    const on = await okta('put', `/Users/${second.id}`, { ...off.body, active: true });
    expect(on.status).toBe(200);
    expect((await okta('get', `/Users/${second.id}`)).body.active).toBe(true);
  });

  it('14. unlink with "delete in target app": DELETE /Groups/{id} is 204, the users stay', async () => {
    const res = await okta('delete', `/Groups/${group.id}`);

    expect(res.status).toBe(204);
    expectScimError(await okta('get', `/Groups/${group.id}`), 404);
    for (const id of [user.id, second.id]) {
      const member = await okta('get', `/Users/${id}`);
      expect(member.status).toBe(200);
      expect(member.body.groups).toEqual([]);
    }
  });
});
