import request from 'supertest';
import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      (await scim.post('/Users', aUser(`audited${i}-${account.accountId}@example.test`)).expect(201)).body.id,
    );
  }
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  const get = (key: string, query: string) =>
    request(roster.app).get(`/api/v1/audit${query}`).set('Authorization', `Bearer ${key}`);
  return { account, scim, ids, serviceKey, get };
}

test('the audit log pages newest first by cursor, and filters by subject and action', async () => {
  const { account, ids, serviceKey, get } = await setUp();
  const first = await get(serviceKey, '?limit=2&action=user.provisioned').expect(200);
  expect(first.body.events.map((e: { subjectId: string }) => e.subjectId)).toEqual([ids[4], ids[3]]);
  expect(first.body.events[0]).toMatchObject({
    action: 'user.provisioned',
    actorKind: 'scim-token',
    channel: 'scim',
  });
  const second = await get(
    serviceKey,
    `?limit=2&action=user.provisioned&cursor=${first.body.nextCursor}`,
  ).expect(200);
  expect(second.body.events.map((e: { subjectId: string }) => e.subjectId)).toEqual([ids[2], ids[1]]);
  const last = await get(
    serviceKey,
    `?limit=2&action=user.provisioned&cursor=${second.body.nextCursor}`,
  ).expect(200);
  // The Owner was provisioned first, with the account.
  expect(last.body.events.map((e: { subjectId: string }) => e.subjectId)).toEqual([ids[0], account.ownerId]);
  expect(last.body.nextCursor).toBeNull();
  const about = await get(serviceKey, `?subject=${ids[2]}`).expect(200);
  expect(about.body.events.every((e: { subjectId: string }) => e.subjectId === ids[2])).toBe(true);
});

test('members need audit.view; another account never sees these events', async () => {
  const { account, ids, get } = await setUp();
  const owner: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'cli',
  };
  await roster.services.roles.assign(owner, ids[0], 'analyst');
  const analystName = (await scimClient(roster, account.token).get(`/Users/${ids[0]}`)).body.userName;
  const analystKey = (await roster.services.apiKeys.issueForMember(account.operator, analystName)).secret;
  const refused = await get(analystKey, '').expect(403);
  expect(refused.body.error.code).toBe('access.denied');
  const other = await setUp();
  const foreign = await get(other.serviceKey, `?subject=${ids[1]}`).expect(200);
  expect(foreign.body.events).toEqual([]);
});

test('bad parameters are a 400 with a stable code', async () => {
  const { serviceKey, get } = await setUp();
  expect((await get(serviceKey, '?limit=100000')).body.error.code).toBe('audit.limit_invalid');
  expect((await get(serviceKey, '?since=yesterday')).body.error.code).toBe('request.invalid');
});
