/**
 * The figures that compare a big account with a small one (they scale flat or they do not):
 * the p99 of a userName filter at 100,000 vs 1,000 users, adding one member to a 100,000- vs a
 * 100-member group, and the recompute of a 100,000-member group mapped to a role.
 */
import type { Roster } from '../../src/composition';
import type { BenchAccount } from './accounts';
import { pick } from './accounts';
import type { LoadGenerator } from './load-client';
import type { SequenceRequest } from './protocol';
import { seedMembers, seedUsers } from './seed';
import { median, ms, summarize, thousands, type Summary } from './stats';
import { checkClean, say } from './throughput';

const auth = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/scim+json' });

export function latencyLine(name: string, s: Summary): string {
  return `   ${name.padEnd(16)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
}

/** A random existing userName, a third UPPERCASED and a third lowercased. */
export function filterPath(account: BenchAccount, i: number): string {
  const stored = pick(account.users.userNames);
  const name = i % 3 === 0 ? stored.toUpperCase() : i % 3 === 1 ? stored.toLowerCase() : stored;
  return `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`;
}

export async function filterP99(
  loader: LoadGenerator,
  port: number,
  small: BenchAccount,
  big: BenchAccount,
  samples: number,
): Promise<{ small: Summary; big: Summary; ratio: number }> {
  const request = (account: BenchAccount, i: number): SequenceRequest => ({
    method: 'GET',
    path: filterPath(account, i),
    headers: auth(account.token),
  });
  // One connection, strictly alternating small/big, so drift and noise hit both sides alike.
  const run = async (each: number) => {
    const requests = Array.from({ length: each }, (_, i) => [request(small, i), request(big, i)]).flat();
    const result = await loader.sequence({
      port,
      headers: {},
      requests,
      expectStatus: 200,
      expectBody: '"totalResults":1,',
    });
    checkClean('filter userName eq', result);
    return {
      small: result.latenciesMs.filter((_, i) => i % 2 === 0),
      big: result.latenciesMs.filter((_, i) => i % 2 === 1),
    };
  };
  await run(samples / 10);
  const times = await run(samples);
  const s = summarize(times.small);
  const b = summarize(times.big);
  return { small: s, big: b, ratio: b.p99 / s.p99 };
}

export interface AddMemberResult {
  small: Summary;
  big: Summary;
  ratio: number;
  bigGroupId: string;
  bigMembers: number;
  seedSeconds: number;
}

export async function addMember(
  roster: Roster,
  loader: LoadGenerator,
  port: number,
  big: BenchAccount,
  sizes: { small: number; big: number },
  samples: number,
): Promise<AddMemberResult> {
  const warmup = samples / 10;
  const started = performance.now();
  const joiners = await seedUsers(
    roster.dataSource,
    big.accountId,
    'big',
    warmup + samples,
    big.users.ids.length,
  );
  const group = async (displayName: string) =>
    (await roster.services.groups.create(big.operator, { displayName, externalId: null, memberIds: [] }))
      .group.id;
  const smallGroup = await group('Bench small group');
  const bigGroup = await group('Bench big group');
  await seedMembers(roster.dataSource, big.accountId, smallGroup, big.users.ids.slice(0, sizes.small));
  await seedMembers(roster.dataSource, big.accountId, bigGroup, big.users.ids.slice(0, sizes.big));
  const seedSeconds = (performance.now() - started) / 1000;
  const body = (userId: string) =>
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
    });
  const requests = joiners.ids.flatMap((userId) => [
    { method: 'PATCH' as const, path: `/scim/v2/Groups/${smallGroup}`, body: body(userId) },
    { method: 'PATCH' as const, path: `/scim/v2/Groups/${bigGroup}`, body: body(userId) },
  ]);
  const result = await loader.sequence({
    port,
    headers: { ...auth(big.token), 'Content-Type': 'application/scim+json' },
    requests,
    expectStatus: 204,
  });
  checkClean('PATCH add member', result);
  const measured = result.latenciesMs.slice(2 * warmup);
  const times = {
    small: measured.filter((_, i) => i % 2 === 0),
    big: measured.filter((_, i) => i % 2 === 1),
  };
  const counts: { group_id: string; n: unknown }[] = await roster.dataSource.query(
    'SELECT group_id, COUNT(*) AS n FROM group_members WHERE group_id IN (?, ?) GROUP BY group_id',
    [smallGroup, bigGroup],
  );
  const count = (id: string) => Number(counts.find((r) => r.group_id === id)?.n);
  const expected = { small: sizes.small + joiners.ids.length, big: sizes.big + joiners.ids.length };
  if (count(smallGroup) !== expected.small || count(bigGroup) !== expected.big) {
    throw new Error(
      `members after the PATCHes: ${count(smallGroup)}/${count(bigGroup)}, expected ${expected.small}/${expected.big}`,
    );
  }
  return {
    small: summarize(times.small),
    big: summarize(times.big),
    ratio: median(times.big) / median(times.small),
    bigGroupId: bigGroup,
    bigMembers: expected.big,
    seedSeconds,
  };
}

/** Maps the big group to "analyst" and removes the mapping; each recomputes every member. */
export async function mapGroup(
  roster: Roster,
  big: BenchAccount,
  groupId: string,
  members: number,
): Promise<{ addSeconds: number; removeSeconds: number }> {
  // The Owner (user #0, a member) keeps the owner role: no mapping grants or takes it.
  const expected = members - 1;
  const analysts = async () =>
    Number(
      (
        await roster.dataSource.query(
          "SELECT COUNT(*) AS n FROM user_roles WHERE account_id = ? AND role_key = 'analyst'",
          [big.accountId],
        )
      )[0].n,
    );
  (globalThis as { gc?: () => void }).gc?.();
  let t = performance.now();
  const mapping = await roster.services.mappings.add(big.operator, {
    matchKind: 'id',
    matchValue: groupId,
    roleKey: 'analyst',
  });
  const addSeconds = (performance.now() - t) / 1000;
  const afterAdd = await analysts();
  if (afterAdd !== expected)
    throw new Error(`analysts after mappings.add: ${afterAdd}, expected ${expected}`);
  t = performance.now();
  await roster.services.mappings.remove(big.operator, mapping.id);
  const removeSeconds = (performance.now() - t) / 1000;
  const afterRemove = await analysts();
  if (afterRemove !== 0) throw new Error(`analysts after mappings.remove: ${afterRemove}, expected 0`);
  say(
    `   (users with role analyst: ${thousands(afterAdd)} after the add, the members but the Owner; 0 after the remove; checked)`,
  );
  return { addSeconds, removeSeconds };
}
