/**
 * The outbox: every change appends its events in its own transaction, with the account's gap-free
 * seq, and the feed reads them oldest first by position, one account's or everyone's.
 */
import type { AccountId } from '../../src/domain/ids';
import type { RosterEvent } from '../../src/domain/events/event-types';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function feedOf(accountId: AccountId): Promise<RosterEvent[]> {
  return roster.events.after({ accountId, after: 0, limit: 1000 });
}

test('a user created then deactivated over SCIM is two events of the account, in order, with seq 1, 2, … and no gaps', async () => {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const id = (await scim.post('/Users', aUser('ada@example.test')).expect(201)).body.id as string;
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })).expect(200);

  const events = await feedOf(account.accountId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const about = events.filter((e) => e.subject.id === id);
  expect(about.map((e) => e.type)).toEqual(['user.created', 'user.deactivated']);
  expect(about[1]).toMatchObject({
    version: 1,
    accountId: account.accountId,
    subject: { type: 'user', id, email: 'ada@example.test' },
    data: { userName: 'ada@example.test', active: false, changed: ['active'] },
  });
  expect(about[1].position).toBeGreaterThan(about[0].position);
  expect(new Date(about[1].occurredAt).toISOString()).toBe(about[1].occurredAt);
});

test("one account's feed never shows another account's events; the operator's feed shows both", async () => {
  const a = await createAccount(roster);
  const b = await createAccount(roster);
  await scimClient(roster, b.token).post('/Users', aUser('only-b@example.test')).expect(201);
  const ofA = await feedOf(a.accountId);
  expect(ofA.every((e) => e.accountId === a.accountId)).toBe(true);
  expect(ofA.some((e) => e.subject.email === 'only-b@example.test')).toBe(false);
  const all = await roster.events.after({ after: 0, limit: 10_000 });
  expect(all.some((e) => e.subject.email === 'only-b@example.test')).toBe(true);
  expect(all.some((e) => e.accountId === a.accountId)).toBe(true);
  const positions = all.map((e) => e.position);
  expect(positions).toEqual([...positions].sort((x, y) => x - y));
});

test('a refused change writes no event', async () => {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  await scim.post('/Users', aUser('twice@example.test')).expect(201);
  const before = await feedOf(account.accountId);
  await scim.post('/Users', aUser('twice@example.test')).expect(409);
  expect(await feedOf(account.accountId)).toEqual(before);
});
