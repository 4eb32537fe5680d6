/**
 * GET /api/v1/events: a product's service key pages through its account's feed, oldest first,
 * with an opaque cursor; bad input is a 400 at once.
 */
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { eventPageSchema } from '../../src/adapters/http/api/event-schemas';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function setUp() {
  const account = await createAccount(roster);
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  return { account, scim: scimClient(roster, account.token), api: apiClient(roster, serviceKey) };
}

test('pages of two follow the cursor through every event once, oldest first, in the documented shape', async () => {
  const { scim, api } = await setUp();
  for (const name of ['p1', 'p2', 'p3']) await scim.post('/Users', aUser(`${name}@example.test`)).expect(201);
  const all = (await api.get('/events?limit=1000').expect(200)).body;
  expect(eventPageSchema.parse(all)).toBeTruthy();
  expect(all.hasMore).toBe(false);
  const paged: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const res = await api.get(`/events?limit=2${cursor ? `&after=${cursor}` : ''}`).expect(200);
    paged.push(...res.body.events.map((e: { id: string }) => e.id));
    cursor = res.body.nextCursor;
    if (!res.body.hasMore) break;
  }
  expect(paged).toEqual(all.events.map((e: { id: string }) => e.id));
  expect(all.events.map((e: { seq: number }) => e.seq)).toEqual(
    all.events.map((_: unknown, i: number) => i + 1),
  );
  // Nothing new: the same cursor comes back and the page is empty.
  const idle = (await api.get(`/events?after=${cursor}`).expect(200)).body;
  expect(idle).toEqual({ events: [], nextCursor: cursor, hasMore: false });
});

test('a new event after the last cursor is the next page', async () => {
  const { scim, api } = await setUp();
  const { nextCursor } = (await api.get('/events?limit=1000').expect(200)).body;
  const id = (await scim.post('/Users', aUser('later@example.test')).expect(201)).body.id as string;
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })).expect(200);
  const next = (await api.get(`/events?after=${nextCursor}&type=user.deactivated`).expect(200)).body;
  expect(next.events).toEqual([
    expect.objectContaining({
      type: 'user.deactivated',
      subject: { type: 'user', id, email: 'later@example.test' },
    }),
  ]);
});

test('the type filter takes repeated and comma-separated types', async () => {
  const { scim, api } = await setUp();
  const id = (await scim.post('/Users', aUser('typed@example.test')).expect(201)).body.id as string;
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })).expect(200);
  await scim.post('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Typed',
  });
  const types = async (query: string) =>
    (await api.get(`/events?${query}`).expect(200)).body.events.map((e: { type: string }) => e.type);
  expect(await types('type=user.created,user.deactivated')).toEqual(
    expect.arrayContaining(['user.created', 'user.deactivated']),
  );
  expect(await types('type=user.created,user.deactivated')).not.toContain('group.created');
  expect(await types('type=group.created&type=user.deactivated')).toEqual([
    'user.deactivated',
    'group.created',
  ]);
});

test("one account's key never reads another account's events", async () => {
  const a = await setUp();
  const b = await setUp();
  await b.scim.post('/Users', aUser('secret-b@example.test')).expect(201);
  const events = (await a.api.get('/events?limit=1000').expect(200)).body.events as { accountId: string }[];
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => e.accountId === a.account.accountId)).toBe(true);
  expect(JSON.stringify(events)).not.toContain('secret-b@example.test');
});

test.each([
  ['after=42', 'events.cursor_invalid'],
  ['after=ev1_bm9wZQ', 'events.cursor_invalid'],
  ['limit=0', 'events.limit_invalid'],
  ['limit=1001', 'events.limit_invalid'],
  ['type=user.exploded', 'events.type_invalid'],
])('GET /events?%s is a 400 (%s)', async (query, code) => {
  const { api } = await setUp();
  const res = await api.get(`/events?${query}`).expect(400);
  expect(res.body.error.code).toBe(code);
});

test('a limit that is no number, or an unknown parameter, is a 400 too', async () => {
  const { api } = await setUp();
  await api.get('/events?limit=abc').expect(400);
  await api.get('/events?cursor=x').expect(400);
});

test('the OpenAPI document describes the route, its action and every event type', async () => {
  const { api } = await setUp();
  const doc = (await api.get('/openapi.json').expect(200)).body;
  const op = doc.paths['/events'].get;
  expect(op['x-roster-action']).toBe('events.read');
  const text = JSON.stringify(op);
  for (const type of ['user.created', 'session.ended', 'hr_sync.finished', 'deprovisioning.brake_held']) {
    expect(text).toContain(type);
  }
});
