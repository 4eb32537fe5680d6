/**
 * The retention sweep: events older than EVENTS_RETENTION_DAYS go, under the job lease; the feed
 * goes on from the oldest event kept, and each account's seq goes on where it was.
 */
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let now = Date.parse('2026-11-01T00:00:00Z');
let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster({ EVENTS_RETENTION_DAYS: '7' }, { clock: { now: () => now } });
});
afterAll(() => roster.stop());

const day = 24 * 60 * 60_000;

test('events older than the retention are swept; newer ones, and the seq, stay', async () => {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  await scim.post('/Users', aUser('old@example.test')).expect(201);
  const old = await roster.events.after({ accountId: account.accountId, after: 0, limit: 1000 });
  const { nextCursor } = await roster.services.events.list(account.operator, { limit: 1 });

  now += 6 * day;
  expect(await roster.jobs.run('events-retention')).toMatchObject({
    ran: true,
    outcome: '0 events older than 7 days deleted',
  });
  now += 2 * day;
  await scim.post('/Users', aUser('new@example.test')).expect(201);
  const run = await roster.jobs.run('events-retention');
  expect(run.ran).toBe(true);
  const everyOld = await roster.events.after({ after: 0, limit: 100_000 });
  expect(everyOld.every((e) => Date.parse(e.occurredAt) >= now - 7 * day)).toBe(true);

  const kept = await roster.events.after({ accountId: account.accountId, after: 0, limit: 1000 });
  expect(kept.map((e) => e.subject.email)).toContain('new@example.test');
  expect(kept.some((e) => old.some((o) => o.id === e.id))).toBe(false);
  expect(kept[0].seq).toBe(old[old.length - 1].seq + 1);
  // A reader whose cursor points into what was swept goes on from the oldest event kept.
  const resumed = await roster.services.events.list(account.operator, { after: nextCursor, limit: 1000 });
  expect(resumed.events.map((e) => e.id)).toEqual(kept.map((e) => e.id));
  expect(run).toMatchObject({ outcome: `${old.length} events older than 7 days deleted` });
});
