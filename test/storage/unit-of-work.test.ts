import type { UserId } from '../../src/domain/ids';
import { createAccount, startRoster, type TestAccount, type TestRoster } from '../support/roster';

let roster: TestRoster;
let account: TestAccount;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
});
afterAll(() => roster.stop());

const auditCount = async () =>
  (await roster.uow.read((tx) => tx.audit.list(account.accountId, { limit: 10_000 }))).length;

test('a unit of work that fails after writing leaves nothing behind', async () => {
  const before = await auditCount();
  await expect(
    roster.uow.write(account.accountId, async (tx) => {
      await tx.audit.append({
        accountId: account.accountId,
        actorKind: 'operator',
        actorId: 'test',
        channel: 'cli',
        action: 'user.updated',
        subjectType: 'user',
        subjectId: 'x',
        before: null,
        after: null,
        requestId: null,
        occurredAt: Date.now(),
      });
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await auditCount()).toBe(before);
});

test('a refused service call writes no row and no audit event', async () => {
  const before = await auditCount();
  await expect(
    roster.services.groups.create(account.operator, {
      displayName: 'Has a stranger',
      externalId: null,
      memberIds: ['00000000-0000-4000-8000-000000000000' as UserId],
    }),
  ).rejects.toMatchObject({ kind: 'invalid', code: 'group.member_unknown' });
  expect(await auditCount()).toBe(before);
  const page = await roster.services.groups.list(
    account.operator,
    { sortOrder: 'ascending', offset: 0, limit: 10 },
    { withMembers: false },
  );
  expect(page.total).toBe(0);
});

test('reads queued behind an open transaction never see its uncommitted writes', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const writing = roster.uow
    .write(account.accountId, async (tx) => {
      await tx.accounts.insert({ id: 'not-committed' as never, name: 'ghost', status: 'active', created: 1 });
      await gate;
      throw new Error('roll back');
    })
    .catch(() => undefined);
  const reading = roster.uow.read((tx) => tx.accounts.get('not-committed' as never));
  release();
  await writing;
  expect(await reading).toBeNull();
});
