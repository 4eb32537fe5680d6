import { effectiveRole } from '../../src/domain/access/effective-role';
import type { UserId } from '../../src/domain/ids';
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

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
});
afterAll(() => roster.stop());

async function createUsers(prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await scim.post('/Users', aUser(`${prefix}${i}@example.test`)).expect(201)).body.id);
  }
  return ids;
}

/** Every user's stored role next to the role a fresh computation from the current data gives. */
async function storedAndFresh(userIds: string[]) {
  const ids = userIds as UserId[];
  return roster.uow.read(async (tx) => {
    const owner = (await tx.accounts.get(account.accountId))!;
    const mapped = await tx.roles.mappedRoles(account.accountId, ids);
    const stored = await tx.roles.stored(account.accountId, ids);
    return ids.map((id) => {
      const fresh = effectiveRole(
        {
          isOwner: owner.ownerId === id,
          mapped: mapped.get(id) ?? [],
          manualRoleKey: stored.get(id)?.manualRoleKey ?? null,
          defaultRoleKey: owner.defaultRoleKey,
        },
        roster.catalogue,
      );
      const { roleKey, source, groupId } = stored.get(id)?.effective ?? {};
      return {
        id,
        stored: { roleKey, source, groupId },
        fresh: { roleKey: fresh.roleKey, source: fresh.source, groupId: fresh.groupId },
      };
    });
  });
}

test('mapping changes racing membership changes end with every role equal to a fresh recomputation', async () => {
  const userIds = await createUsers('race', 40);
  const [first, second] = [userIds.slice(0, 20), userIds.slice(20)];
  const groupA = (
    await scim
      .post('/Groups', { displayName: 'Race A', members: first.map((value) => ({ value })) })
      .expect(201)
  ).body.id;
  const groupB = (
    await scim
      .post('/Groups', { displayName: 'Race B', members: second.map((value) => ({ value })) })
      .expect(201)
  ).body.id;
  const mappingB = await roster.services.mappings.add(account.operator, {
    matchKind: 'id',
    matchValue: groupB,
    roleKey: 'support',
  });

  const move = (userId: string, from: string, to: string) => [
    scim.patch(`/Groups/${from}`, patchOp({ op: 'remove', path: `members[value eq "${userId}"]` })),
    scim.patch(`/Groups/${to}`, patchOp({ op: 'add', path: 'members', value: [{ value: userId }] })),
  ];
  // Mapping writes (each recomputing a whole group) interleaved with membership writes that move
  // users between the two groups, and a rename of the group matched by displayName.
  const results = await Promise.allSettled([
    roster.services.mappings.add(account.operator, {
      matchKind: 'displayName',
      matchValue: 'race b2',
      roleKey: 'manager',
    }),
    ...first.slice(0, 8).flatMap((id) => move(id, groupA, groupB)),
    roster.services.mappings.changeRole(account.operator, mappingB.id, 'analyst'),
    ...second.slice(0, 8).flatMap((id) => move(id, groupB, groupA)),
    scim.patch(`/Groups/${groupB}`, patchOp({ op: 'replace', path: 'displayName', value: 'Race B2' })),
    roster.services.mappings.remove(account.operator, mappingB.id),
    ...first.slice(8, 12).flatMap((id) => move(id, groupA, groupB)),
  ]);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  for (const r of results) {
    if (r.status === 'fulfilled' && r.value && 'status' in r.value) expect(r.value.status).toBe(204);
  }

  const roles = await storedAndFresh(userIds);
  expect(roles.filter((r) => JSON.stringify(r.stored) !== JSON.stringify(r.fresh))).toEqual([]);
  // The race did move roles: group B, renamed Race B2, is now mapped by name to manager, and
  // group A by nothing (no default role), whichever write came first.
  expect(new Set(roles.map((r) => r.stored.roleKey))).toEqual(new Set(['manager', null]));
});
