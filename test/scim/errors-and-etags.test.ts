import request from 'supertest';
import {
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type ScimClient,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import {
  auditEvents,
  createGroup,
  createUser,
  ERROR_URN,
  expectScimError,
  getGroup,
  getUser,
  GROUP_URN,
  listUsers,
  unique,
  uniqueEmail,
  type Json,
} from './scim-helpers';

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
});
afterAll(() => roster.stop());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('authentication', () => {
  const get = (authorization?: string) => {
    const req = request(roster.app).get('/scim/v2/Users');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'Bearer not-a-real-token'],
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
  ])('answers %s with 401, WWW-Authenticate and a SCIM error body', async (_what, authorization) => {
    const res = await get(authorization);
    expectScimError(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('refuses a token from the next request on after it is revoked', async () => {
    const { token, secret } = await roster.services.tokens.issue(account.operator, 'rotating');
    expect((await get(`Bearer ${secret}`)).status).toBe(200);

    await roster.services.tokens.revoke(account.operator, token.id);

    const res = await get(`Bearer ${secret}`);
    expectScimError(res, 401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    const write = await request(roster.app)
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${secret}`)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(aUser(uniqueEmail('after.revoke'))));
    expectScimError(write, 401);
    // The other token of the account still works.
    expect((await get(`Bearer ${account.token}`)).status).toBe(200);
  });

  it('does not require a User-Agent', async () => {
    const res = await get(`Bearer ${account.token}`).unset('User-Agent');
    expect(res.status).toBe(200);
  });
});

describe('error responses', () => {
  const raw = (method: 'post' | 'put' | 'patch', path: string, body: string) =>
    request(roster.app)
      [method](`/scim/v2${path}`)
      .set('Authorization', `Bearer ${account.token}`)
      .set('Content-Type', 'application/scim+json')
      .send(body);

  it('answers malformed JSON with 400 invalidSyntax and creates nothing', async () => {
    const userName = uniqueEmail('malformed');
    const res = await raw('post', '/Users', `{"userName": "${userName}", "active": tru`);
    expectScimError(res, 400, 'invalidSyntax');
    expect(await listUsers(scim, `userName eq "${userName}"`)).toEqual([]);
  });

  it('answers malformed JSON on PATCH with 400 invalidSyntax and changes nothing', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('malformed.patch')));
    const res = await raw('patch', `/Users/${user.id}`, '{"Operations": [');
    expectScimError(res, 400, 'invalidSyntax');
    expect(await getUser(scim, user.id)).toEqual(user);
  });

  it.each([
    ['GET', (c: ScimClient) => c.get(`/Users/${UNKNOWN_ID}`)],
    ['PUT', (c: ScimClient) => c.put(`/Users/${UNKNOWN_ID}`, aUser(uniqueEmail('ghost')))],
    [
      'PATCH',
      (c: ScimClient) =>
        c.patch(`/Users/${UNKNOWN_ID}`, patchOp({ op: 'replace', value: { active: false } })),
    ],
    ['DELETE', (c: ScimClient) => c.delete(`/Users/${UNKNOWN_ID}`)],
  ])('answers %s of an unknown user id with a 404 SCIM error', async (_method, send) => {
    const body = expectScimError(await send(scim), 404);
    expect(body.detail).toContain(UNKNOWN_ID);
  });

  it.each([
    ['GET', (c: ScimClient) => c.get(`/Groups/${UNKNOWN_ID}`)],
    [
      'PUT',
      (c: ScimClient) => c.put(`/Groups/${UNKNOWN_ID}`, { schemas: [GROUP_URN], displayName: 'Ghost' }),
    ],
    [
      'PATCH',
      (c: ScimClient) =>
        c.patch(`/Groups/${UNKNOWN_ID}`, patchOp({ op: 'replace', path: 'displayName', value: 'x' })),
    ],
    ['DELETE', (c: ScimClient) => c.delete(`/Groups/${UNKNOWN_ID}`)],
  ])('answers %s of an unknown group id with a 404 SCIM error', async (_method, send) => {
    expectScimError(await send(scim), 404);
  });

  it('answers an unknown SCIM endpoint with a 404 SCIM error', async () => {
    expectScimError(await scim.get('/Bulk'), 404);
  });

  it.each(['x" or userName pr or id eq "y', "x' OR '1'='1", '..%2F..%2FUsers'])(
    'answers the id %j with 404, never with a list of users',
    async (id) => {
      const res = await scim.get(`/Users/${encodeURIComponent(id)}`);
      expectScimError(res, 404);
      expect(res.body).not.toHaveProperty('Resources');
      expect(res.body).not.toHaveProperty('userName');
      expectScimError(await scim.get(`/Groups/${encodeURIComponent(id)}`), 404);
    },
  );
});

describe('payload limit', () => {
  let small: TestRoster;
  let client: ScimClient;

  beforeAll(async () => {
    small = await startRoster({ SCIM_MAX_PAYLOAD_BYTES: '2048' });
    client = scimClient(small, (await createAccount(small)).token);
  });
  afterAll(() => small.stop());

  it('answers a body above SCIM_MAX_PAYLOAD_BYTES with 413 and creates nothing', async () => {
    const userName = uniqueEmail('huge');
    const res = await client.post('/Users', aUser(userName, { title: 'x'.repeat(3000) }));
    expectScimError(res, 413);
    expect(await listUsers(client, `userName eq "${userName}"`)).toEqual([]);
  });

  it('accepts a body under the limit', async () => {
    const res = await client.post('/Users', aUser(uniqueEmail('small'), { title: 'x'.repeat(1000) }));
    expect(res.status).toBe(201);
  });
});

describe('meta.version and ETag', () => {
  it('gives a user a new version on every write, and the ETag header always equals meta.version', async () => {
    const created = await scim.post('/Users', aUser(uniqueEmail('versions')));
    const versions = [created.body.meta.version as string];
    expect(created.headers.etag).toBe(created.body.meta.version);
    const id = created.body.id as string;

    const put = await scim.put(`/Users/${id}`, { ...created.body, displayName: 'Put' });
    expect(put.headers.etag).toBe(put.body.meta.version);
    versions.push(put.body.meta.version);

    const patch = await scim.patch(`/Users/${id}`, patchOp({ op: 'Add', path: 'nickName', value: 'Nick' }));
    expect(patch.headers.etag).toBe(patch.body.meta.version);
    versions.push(patch.body.meta.version);

    const deactivate = await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } }));
    versions.push(deactivate.body.meta.version);

    expect(new Set(versions).size).toBe(versions.length);
    const get = await scim.get(`/Users/${id}`);
    expect(get.headers.etag).toBe(get.body.meta.version);
    expect(get.body.meta.version).toBe(versions[versions.length - 1]);
  });

  it('gives a group a new version on every write, and the ETag header always equals meta.version', async () => {
    const member = await createUser(scim, aUser(uniqueEmail('group.version')));
    const created = await scim.post('/Groups', { schemas: [GROUP_URN], displayName: unique('Versioned') });
    expect(created.headers.etag).toBe(created.body.meta.version);
    const id = created.body.id as string;
    const versions = [created.body.meta.version as string];

    const patch = await scim.patch(
      `/Groups/${id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ value: member.id }] }),
    );
    expect(patch.status).toBe(204);
    const afterPatch = await scim.get(`/Groups/${id}`);
    expect(afterPatch.headers.etag).toBe(afterPatch.body.meta.version);
    expect(patch.headers.etag).toBe(afterPatch.body.meta.version);
    versions.push(afterPatch.body.meta.version);

    const put = await scim.put(`/Groups/${id}`, {
      schemas: [GROUP_URN],
      displayName: unique('Versioned Put'),
    });
    expect(put.headers.etag).toBe(put.body.meta.version);
    versions.push(put.body.meta.version);

    expect(new Set(versions).size).toBe(versions.length);
  });

  it('leaves meta.version alone on reads', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('read.only')));
    await scim.get(`/Users/${user.id}`);
    await listUsers(scim, `id eq "${user.id}"`);
    expect((await getUser(scim, user.id)).meta.version).toBe(user.meta.version);
  });
});

describe('If-Match', () => {
  const stale = 'W/"999"';

  it.each([
    ['PUT', (c: ScimClient, u: Json) => c.put(`/Users/${u.id}`, { ...u, displayName: 'Stale' })],
    [
      'PATCH',
      (c: ScimClient, u: Json) =>
        c.patch(`/Users/${u.id}`, patchOp({ op: 'replace', value: { active: false } })),
    ],
    ['DELETE', (c: ScimClient, u: Json) => c.delete(`/Users/${u.id}`)],
  ])('refuses a user %s with a stale If-Match with 412 and changes nothing', async (_method, send) => {
    const user = await createUser(scim, aUser(uniqueEmail('stale')));
    const res = await send(scim, user).set('If-Match', stale);
    expectScimError(res, 412);
    expect(await getUser(scim, user.id)).toEqual(user);
  });

  it.each([
    [
      'PUT',
      (c: ScimClient, g: Json) => c.put(`/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: 'Stale' }),
    ],
    [
      'PATCH',
      (c: ScimClient, g: Json) =>
        c.patch(`/Groups/${g.id}`, patchOp({ op: 'Remove', path: 'members', value: g.members })),
    ],
    ['DELETE', (c: ScimClient, g: Json) => c.delete(`/Groups/${g.id}`)],
  ])('refuses a group %s with a stale If-Match with 412 and changes nothing', async (_method, send) => {
    const member = await createUser(scim, aUser(uniqueEmail('stale.member')));
    const group = await createGroup(scim, unique('Stale Group'), [member.id]);
    const res = await send(scim, group).set('If-Match', stale);
    expectScimError(res, 412);
    expect(await getGroup(scim, group.id)).toEqual(group);
  });

  it('refuses an If-Match that names no version at all with 412', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('garbage.tag')));
    const res = await scim
      .patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'nickName', value: 'x' }))
      .set('If-Match', 'garbage');
    expectScimError(res, 412);
    expect(await getUser(scim, user.id)).toEqual(user);
  });

  it('applies a write whose If-Match names the current version', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('fresh')));

    const put = await scim
      .put(`/Users/${user.id}`, { ...user, displayName: 'Fresh' })
      .set('If-Match', user.meta.version);
    expect(put.status).toBe(200);
    const patch = await scim
      .patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'nickName', value: 'Fresh' }))
      .set('If-Match', put.headers.etag);
    expect(patch.status).toBe(200);
    expect(await getUser(scim, user.id)).toMatchObject({ displayName: 'Fresh', nickName: 'Fresh' });

    const del = await scim.delete(`/Users/${user.id}`).set('If-Match', patch.headers.etag);
    expect(del.status).toBe(204);
    expectScimError(await scim.get(`/Users/${user.id}`), 404);
  });

  it('applies a group write whose If-Match names the current version, and accepts *', async () => {
    const group = await createGroup(scim, unique('Fresh Group'));
    const renamed = unique('Fresh Renamed');
    const patch = await scim
      .patch(`/Groups/${group.id}`, patchOp({ op: 'Replace', path: 'displayName', value: renamed }))
      .set('If-Match', group.meta.version);
    expect(patch.status).toBe(204);
    expect((await getGroup(scim, group.id)).displayName).toBe(renamed);

    const del = await scim.delete(`/Groups/${group.id}`).set('If-Match', '*');
    expect(del.status).toBe(204);
  });
});

describe('If-None-Match', () => {
  it('answers 304 without a body when it names the current version, 200 otherwise', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('conditional')));

    const same = await scim.get(`/Users/${user.id}`).set('If-None-Match', user.meta.version);
    expect(same.status).toBe(304);
    expect(same.text ?? '').toBe('');

    const old = await scim.get(`/Users/${user.id}`).set('If-None-Match', 'W/"999"');
    expect(old.status).toBe(200);
    expect(old.body.id).toBe(user.id);

    await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'nickName', value: 'Changed' }));
    const changed = await scim.get(`/Users/${user.id}`).set('If-None-Match', user.meta.version);
    expect(changed.status).toBe(200);
    expect(changed.body.nickName).toBe('Changed');
  });

  it('answers 304 for a group too', async () => {
    const group = await createGroup(scim, unique('Conditional Group'));
    const res = await scim.get(`/Groups/${group.id}`).set('If-None-Match', group.meta.version);
    expect(res.status).toBe(304);
  });
});

describe('audit log', () => {
  const count = async () => (await auditEvents(roster, account.accountId)).length;

  async function expectOneScimEvent(before: number, action: string, subjectId: string, requestId: string) {
    const [token] = (await roster.services.tokens.list(account.operator)).filter((t) => t.label === 'test');
    const events = await auditEvents(roster, account.accountId);
    expect(events.length).toBe(before + 1);
    expect(events[0]).toMatchObject({
      accountId: account.accountId,
      actorKind: 'scim-token',
      actorId: token.id,
      channel: 'scim',
      action,
      subjectId,
      requestId,
    });
  }

  it('records exactly one event per successful user write, as the SCIM token', async () => {
    let before = await count();
    const created = await scim.post('/Users', aUser(uniqueEmail('audited')));
    const id = created.body.id as string;
    await expectOneScimEvent(before, 'user.provisioned', id, created.headers['x-request-id']);

    before = await count();
    const put = await scim.put(`/Users/${id}`, { ...created.body, displayName: 'Audited' });
    await expectOneScimEvent(before, 'user.updated', id, put.headers['x-request-id']);

    before = await count();
    const off = await scim.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    await expectOneScimEvent(before, 'user.deactivated', id, off.headers['x-request-id']);

    before = await count();
    const on = await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: true } }));
    await expectOneScimEvent(before, 'user.reactivated', id, on.headers['x-request-id']);

    before = await count();
    const del = await scim.delete(`/Users/${id}`);
    await expectOneScimEvent(before, 'user.deleted', id, del.headers['x-request-id']);
  });

  it('records exactly one event per successful group write, however many members change', async () => {
    const a = await createUser(scim, aUser(uniqueEmail('audit.a')));
    const b = await createUser(scim, aUser(uniqueEmail('audit.b')));

    let before = await count();
    const created = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      displayName: unique('Audited'),
      members: [],
    });
    const id = created.body.id as string;
    await expectOneScimEvent(before, 'group.created', id, created.headers['x-request-id']);

    before = await count();
    const patch = await scim.patch(
      `/Groups/${id}`,
      patchOp(
        { op: 'replace', value: { id, displayName: unique('Audited Renamed') } },
        { op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] },
      ),
    );
    await expectOneScimEvent(before, 'group.updated', id, patch.headers['x-request-id']);

    before = await count();
    const put = await scim.put(`/Groups/${id}`, { schemas: [GROUP_URN], displayName: unique('Audited Put') });
    await expectOneScimEvent(before, 'group.updated', id, put.headers['x-request-id']);

    before = await count();
    const del = await scim.delete(`/Groups/${id}`);
    await expectOneScimEvent(before, 'group.deleted', id, del.headers['x-request-id']);
  });

  it('records nothing for refused writes', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('refused')));
    const group = await createGroup(scim, unique('Refused'));
    const before = await count();

    const refused = [
      await scim.post('/Users', aUser(user.userName)),
      await scim.post('/Users', { schemas: [] }),
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove' })),
      await scim.put(`/Users/${user.id}`, { ...user, displayName: 'x' }).set('If-Match', 'W/"999"'),
      await scim.delete(`/Users/${UNKNOWN_ID}`),
      await scim.post('/Groups', { schemas: [GROUP_URN], displayName: group.displayName }),
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'Add', path: 'members', value: [{ value: UNKNOWN_ID }] }),
      ),
      await scim.delete(`/Groups/${group.id}`).set('If-Match', 'W/"999"'),
      await request(roster.app)
        .post('/scim/v2/Users')
        .set('Content-Type', 'application/scim+json')
        .send(JSON.stringify(aUser(uniqueEmail('anonymous')))),
    ];

    expect(refused.map((r) => r.status)).toEqual([409, 400, 400, 412, 404, 409, 400, 412, 401]);
    expect(await count()).toBe(before);
  });
});

describe('error body shape', () => {
  it('sends status as a string and only RFC 7644 keys', async () => {
    const res = await scim.get(`/Users/${UNKNOWN_ID}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ schemas: [ERROR_URN], status: '404', detail: expect.any(String) });
  });

  it('includes scimType for 409', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('shape')));
    const res = await scim.post('/Users', aUser(user.userName));
    expect(res.body).toEqual({
      schemas: [ERROR_URN],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.any(String),
    });
  });
});
