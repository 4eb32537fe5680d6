import {
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type ScimClient,
  type TestRoster,
} from '../support/roster';

let roster: TestRoster;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  scim = scimClient(roster, (await createAccount(roster)).token);
});
afterAll(() => roster.stop());

async function createUsers(prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await scim.post('/Users', aUser(`${prefix}${i}@example.test`)).expect(201);
    ids.push(res.body.id);
  }
  return ids;
}

test('50 concurrent PATCHes adding different members to one group leave all 50 members', async () => {
  const userIds = await createUsers('member', 50);
  const group = await scim.post('/Groups', { displayName: 'Everyone' }).expect(201);
  const responses = await Promise.all(
    userIds.map((id) =>
      scim.patch(`/Groups/${group.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: id }] })),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(userIds.map(() => 204));
  const after = await scim.get(`/Groups/${group.body.id}`).expect(200);
  expect(after.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...userIds].sort());
  expect(after.body.meta.version).toBe('W/"51"');
});

test('concurrent POSTs of one userName give exactly one 201 and 409 for the rest', async () => {
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      scim.post('/Users', aUser(i % 2 ? 'Race@Example.test' : 'race@example.test')),
    ),
  );
  const statuses = responses.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  for (const res of responses.filter((r) => r.status === 409)) expect(res.body.scimType).toBe('uniqueness');
  const list = await scim.get('/Users?filter=userName eq "race@example.test"').expect(200);
  expect(list.body.totalResults).toBe(1);
});

test('concurrent PATCHes of different attributes of one user both survive (no lost update)', async () => {
  const [id] = await createUsers('both', 1);
  const changes = Array.from({ length: 10 }, (_, i) =>
    scim.patch(
      `/Users/${id}`,
      patchOp({ op: 'replace', path: i % 2 ? 'title' : 'nickName', value: `v${i}` }),
    ),
  );
  const responses = await Promise.all(changes);
  expect(responses.every((r) => r.status === 200)).toBe(true);
  const user = await scim.get(`/Users/${id}`).expect(200);
  expect(user.body.title).toMatch(/^v\d$/);
  expect(user.body.nickName).toMatch(/^v\d$/);
  expect(user.body.meta.version).toBe('W/"11"');
});

test('concurrent adds and removes on one group end in the state the operations imply', async () => {
  const keep = await createUsers('keep', 10);
  const drop = await createUsers('drop', 10);
  const group = await scim
    .post('/Groups', { displayName: 'Churn', members: drop.map((value) => ({ value })) })
    .expect(201);
  await Promise.all([
    ...keep.map((value) =>
      scim.patch(`/Groups/${group.body.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value }] })),
    ),
    ...drop.map((value) =>
      scim.patch(`/Groups/${group.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${value}"]` })),
    ),
  ]);
  const after = await scim.get(`/Groups/${group.body.id}`).expect(200);
  expect(after.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...keep].sort());
});
