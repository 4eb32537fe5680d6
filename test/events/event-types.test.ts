/**
 * Each event type of docs/events.md is written with its change, in its transaction, and is not
 * written when the change is refused or rolled back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultColumns, readHrExport } from '../../src/adapters/hr/export-reader';
import type { Actor } from '../../src/domain/actor';
import type { RosterEvent } from '../../src/domain/events/event-types';
import type { AccountId, UserId } from '../../src/domain/ids';
import { eventSchema } from '../../src/adapters/http/api/event-schemas';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
let dir: string;
beforeAll(async () => {
  roster = await startRoster();
  dir = mkdtempSync(join(tmpdir(), 'roster-events-'));
});
afterAll(async () => {
  await roster.stop();
  rmSync(dir, { recursive: true, force: true });
});

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** What happened in the account since `mark()` was called, each event checked against its schema. */
async function watch(accountId: AccountId) {
  let from = await roster.events.latestPosition();
  const since = async (): Promise<RosterEvent[]> => {
    const events = await roster.events.after({ accountId, after: from, limit: 10_000 });
    for (const event of events) eventSchema.parse(event);
    return events;
  };
  return {
    since,
    mark: async () => {
      from = await roster.events.latestPosition();
    },
    types: async () => (await since()).map((e) => e.type),
  };
}

async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const feed = await watch(account.accountId);
  const person = async (userName: string) =>
    (await scim.post('/Users', aUser(userName)).expect(201)).body.id as UserId;
  return { account, scim, feed, person, op: account.operator };
}

test('user created, updated, deactivated, reactivated and deleted over SCIM', async () => {
  const { scim, feed, person } = await setUp();
  const id = await person('life@example.test');
  await scim
    .patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Life' }))
    .expect(200);
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })).expect(200);
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: true })).expect(200);
  await scim.delete(`/Users/${id}`).expect(204);
  const about = (await feed.since()).filter((e) => e.subject.id === id);
  expect(about.map((e) => e.type)).toEqual([
    'user.created',
    'user.updated',
    'user.deactivated',
    'user.reactivated',
    'user.deleted',
  ]);
  expect(about[1].data).toMatchObject({ displayName: 'Life', changed: ['displayName'] });
  expect(about[4]).toMatchObject({
    subject: { email: 'life@example.test' },
    data: { userName: 'life@example.test' },
  });
  expect(about[0].data.actor).toEqual({ kind: 'scim-token', id: expect.any(String), channel: 'scim' });
});

test('a refused or conflicting change writes no event', async () => {
  const { scim, feed, person } = await setUp();
  const id = await person('refused@example.test');
  await feed.mark();
  await scim
    .patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }))
    .set('If-Match', 'W/"99"')
    .expect(412);
  await scim.post('/Users', aUser('refused@example.test')).expect(409);
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: '' })).expect(400);
  expect(await feed.since()).toEqual([]);
});

test('group created, renamed, members added and removed, deleted', async () => {
  const { scim, feed, person } = await setUp();
  const [a, b] = [await person('ga@example.test'), await person('gb@example.test')];
  await feed.mark();
  const groupId = (
    await scim.post('/Groups', { schemas: [GROUP], displayName: 'Ops', members: [{ value: a }] }).expect(201)
  ).body.id as string;
  await scim
    .patch(
      `/Groups/${groupId}`,
      patchOp(
        { op: 'replace', path: 'displayName', value: 'Operations' },
        { op: 'add', path: 'members', value: [{ value: b }] },
        { op: 'remove', path: `members[value eq "${a}"]` },
      ),
    )
    .expect(204);
  await scim.delete(`/Groups/${groupId}`).expect(204);
  const events = await feed.since();
  expect(events.map((e) => [e.type, e.data.userId ?? e.data.displayName])).toEqual([
    ['group.created', 'Ops'],
    ['group.member_added', a],
    ['group.renamed', 'Operations'],
    ['group.member_added', b],
    ['group.member_removed', a],
    ['group.deleted', 'Operations'],
  ]);
  expect(events[2].data.previous).toEqual({ displayName: 'Ops', externalId: null });
  expect(events[3].data).toMatchObject({ userName: 'gb@example.test', email: 'gb@example.test' });
  expect(events.every((e) => e.subject.type === 'group' && e.subject.id === groupId)).toBe(true);
});

test('the effective role changed, with the old and new role and why; refused on the Owner, no event', async () => {
  const { account, feed, person, op, scim } = await setUp();
  const id = await person('role@example.test');
  await feed.mark();
  await roster.services.roles.assign(op, id, 'analyst');
  await roster.services.mappings.add(op, {
    matchKind: 'displayName',
    matchValue: 'Admins',
    roleKey: 'admin',
  });
  await scim
    .post('/Groups', { schemas: [GROUP], displayName: 'Admins', members: [{ value: id }] })
    .expect(201);
  await expect(roster.services.roles.assign(op, account.ownerId, 'analyst')).rejects.toThrow();
  const changes = (await feed.since()).filter((e) => e.type === 'user.role_changed');
  expect(changes.map((e) => [e.subject.id, e.data.old, e.data.new])).toEqual([
    [id, { role: null, source: null, group: null }, { role: 'analyst', source: 'manual', group: null }],
    [
      id,
      { role: 'analyst', source: 'manual', group: null },
      { role: 'admin', source: 'group', group: 'Admins' },
    ],
  ]);
});

test('the MFA requirement changed (and not when set to what it was)', async () => {
  const { feed, person, op } = await setUp();
  const id = await person('mfa@example.test');
  await feed.mark();
  await roster.services.mfa.setUserRequirement(op, id, true);
  await roster.services.mfa.setUserRequirement(op, id, true);
  const events = (await feed.since()).filter((e) => e.type === 'user.mfa_required_changed');
  expect(events).toEqual([
    expect.objectContaining({
      subject: { type: 'user', id, email: 'mfa@example.test' },
      data: expect.objectContaining({ userId: id, old: null, new: true, userName: 'mfa@example.test' }),
    }),
  ]);
});

test('ownership transferred, API key and SCIM token revoked, account closed', async () => {
  const { account, feed, person, op } = await setUp();
  const next = await person('next-owner@example.test');
  await roster.services.roles.assign(op, next, 'admin');
  const key = (await roster.services.apiKeys.issueForMember(op, 'next-owner@example.test')).key;
  const token = (await roster.services.tokens.issue(op, 'second')).token;
  await feed.mark();
  await roster.services.ownership.forceTransfer(op, next, 'the Owner left');
  await roster.services.apiKeys.revoke(op, key.id);
  await expect(roster.services.apiKeys.revoke(op, key.id)).rejects.toThrow();
  await roster.services.tokens.revoke(op, token.id);
  await roster.services.ownership.close(op);
  const events = (await feed.since()).filter((e) => e.type !== 'user.role_changed');
  expect(events.map((e) => e.type)).toEqual([
    'account.ownership_transferred',
    'api_key.revoked',
    'scim_token.revoked',
    'account.closed',
  ]);
  expect(events[0].data).toMatchObject({ from: account.ownerId, to: next, reason: 'the Owner left' });
  expect(events[1]).toMatchObject({
    subject: { type: 'api_key', id: key.id },
    data: { userId: next, reason: 'revoked' },
  });
  expect(events[2].subject).toEqual({ type: 'scim_token', id: token.id });
  expect(events[3].subject).toEqual({ type: 'account', id: account.accountId });
});

test("a leaver's sessions end with the deactivation, each a session.ended with why", async () => {
  const { account, scim, feed, person, op } = await setUp();
  const id = await person('leaver@example.test');
  await roster.services.roles.assign(op, id, 'analyst');
  await roster.services.apiKeys.issueForMember(op, 'leaver@example.test');
  const now = Date.now();
  await roster.uow.write(account.accountId, (tx) =>
    tx.ssoSessions.insert(
      {
        id: 'session-of-the-leaver',
        accountId: account.accountId,
        userId: id,
        created: now,
        lastSeen: now,
        idleExpires: now + 3_600_000,
        absoluteExpires: now + 3_600_000,
        idleMinutes: 60,
        mfa: { method: 'not_required', detail: null },
        samlSubject: null,
        handOffUid: null,
      },
      'hash-of-the-leaver-session',
    ),
  );
  await feed.mark();
  await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false })).expect(200);
  const events = await feed.since();
  expect(events.map((e) => e.type)).toEqual(['user.deactivated', 'api_key.revoked', 'session.ended']);
  expect(events[1]).toMatchObject({
    subject: { type: 'user', id },
    data: { keys: 1, reason: 'deactivated' },
  });
  expect(events[2]).toMatchObject({
    subject: { type: 'session', id: 'session-of-the-leaver', email: 'leaver@example.test' },
    data: { userId: id, reason: 'deactivated', sid: 'session-of-the-leaver', sessionKind: 'sso' },
  });
});

test('HR sync finished, with what the run did, after its users’ events', async () => {
  const { account, feed } = await setUp();
  const actor: Actor = { kind: 'operator', accountId: account.accountId, operator: 'hr', channel: 'hr-sync' };
  const path = join(dir, 'export.csv');
  writeFileSync(
    path,
    [
      Object.values(defaultColumns).join(','),
      'E1,hr1@acme.test,Ann,A,Ops,Eng,,,,',
      'E2,hr2@acme.test,Bo,B,Ops,Eng,E1,,,',
    ].join('\n'),
  );
  await roster.services.hrSync.sync(actor, await readHrExport(path, defaultColumns), { dryRun: true });
  expect(await feed.since()).toEqual([]);
  await roster.services.hrSync.sync(actor, await readHrExport(path, defaultColumns));
  const events = await feed.since();
  expect(events.map((e) => e.type)).toEqual(['user.created', 'user.created', 'hr_sync.finished']);
  // The same export again changes nothing, and writes nothing.
  await roster.services.hrSync.sync(actor, await readHrExport(path, defaultColumns));
  expect((await feed.since()).length).toBe(3);
  expect(events[2]).toMatchObject({
    subject: { type: 'account', id: account.accountId },
    data: { rows: 2, created: 2, updated: 0, deactivated: 0, failures: 0, actor: { channel: 'hr-sync' } },
  });
});
