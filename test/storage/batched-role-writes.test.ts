import type { AuditEvent } from '../../src/domain/audit/events';
import type { UserId } from '../../src/domain/ids';
import type { StoredRole } from '../../src/domain/ports';
import {
  aUser,
  createAccount,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';

// More than two chunks of 500 ids, so every statement of the batched writes runs more than once.
const userCount = 1_001;

let roster: TestRoster;
let account: TestAccount;
let userIds: UserId[];

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  userIds = [];
  for (let i = 0; i < userCount; i++) {
    const res = await scim.post('/Users', aUser(`batch${i}@example.test`)).expect(201);
    userIds.push(res.body.id as UserId);
  }
}, 120_000);
afterAll(() => roster.stop());

const role = (roleKey: string | null, manualRoleKey: string | null = null): StoredRole => ({
  effective: { roleKey, source: roleKey ? 'manual' : null, groupId: null, groupName: null },
  manualRoleKey,
});

const storedRoles = () => roster.uow.read((tx) => tx.roles.stored(account.accountId, userIds));

test('saveMany writes each user the role given for them, inserting the rows that are missing', async () => {
  // Users 0-9 have no role row yet (as for a user whose row was never written): they get one.
  const missing = userIds.slice(0, 10);
  await roster.dataSource.query(
    `DELETE FROM user_roles WHERE user_id IN (${missing.map(() => '?').join(', ')})`,
    missing,
  );
  // Permission overrides of a user are not the role's business: saveMany leaves them alone.
  await roster.services.roles.setPermissions(account.operator, userIds[20], {
    mode: 'none',
    granted: [],
    restricted: [],
  });
  const wanted = (i: number) => (i % 3 === 0 ? role('analyst', 'analyst') : role('support', 'support'));
  await roster.uow.write(account.accountId, (tx) =>
    tx.roles.saveMany(
      account.accountId,
      userIds.map((userId, i) => ({ userId, role: wanted(i) })),
      Date.now(),
    ),
  );

  const stored = await storedRoles();
  expect(stored.size).toBe(userCount);
  userIds.forEach((userId, i) => {
    expect(stored.get(userId)?.effective.roleKey).toBe(wanted(i).effective.roleKey);
    expect(stored.get(userId)?.manualRoleKey).toBe(wanted(i).manualRoleKey);
  });
  expect(stored.get(userIds[20])?.overrides?.mode).toBe('none');
});

test('a failing batch leaves every role as it was', async () => {
  const before = await storedRoles();
  await expect(
    roster.uow.write(account.accountId, async (tx) => {
      await tx.roles.saveMany(
        account.accountId,
        userIds.map((userId) => ({ userId, role: role('admin', 'admin') })),
        Date.now(),
      );
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await storedRoles()).toEqual(before);
});

test('appendMany keeps every event, in order, with its before and after', async () => {
  const events: AuditEvent[] = userIds.slice(0, 650).map((userId, i) => ({
    accountId: account.accountId,
    actorKind: 'operator',
    actorId: 'batch-test',
    channel: 'cli',
    action: 'user.role_changed',
    subjectType: 'user',
    subjectId: userId,
    before: { role: null, n: i },
    after: { role: 'support', note: `event ${i} "quoted" ✓` },
    requestId: i % 2 === 0 ? `req-${i}` : null,
    occurredAt: 1_700_000_000_000 + i,
  }));
  await roster.uow.write(account.accountId, (tx) => tx.audit.appendMany(events));

  const listed = await roster.uow.read((tx) =>
    tx.audit.list(account.accountId, { actorId: 'batch-test', limit: 1_000 }),
  );
  // Newest first: the reverse of the order appended.
  expect(listed.map(({ id: _id, ...event }) => event)).toEqual([...events].reverse());
});

test('mapping a group of 1,001 members gives each one the role and one audit event', async () => {
  const scim = scimClient(roster, account.token);
  const group = await scim
    .post('/Groups', { displayName: 'Everyone', members: userIds.map((value) => ({ value })) })
    .expect(201);
  await roster.services.mappings.add(account.operator, {
    matchKind: 'id',
    matchValue: group.body.id,
    roleKey: 'analyst',
  });

  const stored = await storedRoles();
  for (const userId of userIds) {
    expect(stored.get(userId)?.effective).toMatchObject({ roleKey: 'analyst', source: 'group' });
  }
  const events = await roster.uow.read((tx) =>
    tx.audit.list(account.accountId, { action: 'user.role_changed', limit: 10_000 }),
  );
  // Users 0, 3, 6, … were analysts by hand already: their role changed source, so they get one too.
  const mappingEvents = events.filter((e) => (e.after as { source?: string }).source === 'group');
  expect(new Set(mappingEvents.map((e) => e.subjectId)).size).toBe(userCount);
  expect(mappingEvents).toHaveLength(userCount);
});
