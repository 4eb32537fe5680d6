import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster, startServer } from './run-cli';

let dir: string;
let env: Record<string, string>;
let server: { url: string; stop: () => Promise<void> };
let account: { accountId: string; scimToken: string };

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-members-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  account = JSON.parse(created.stdout) as { accountId: string; scimToken: string };
  server = await startServer(env);
  for (const userName of ['ann@acme.test', 'bob@acme.test']) {
    const res = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${account.scimToken}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const members = (...args: string[]) => roster(['members', ...args, '--account', account.accountId], env);

interface MemberLine {
  id: string;
  userName: string;
  role: string | null;
  roleSource: string | null;
}

test('list shows every member with their role and source; set-role gives a role by hand', () => {
  const set = members('set-role', '--user', 'ANN@acme.test', '--role', 'analyst', '--json');
  expect(set.status).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({
    userName: 'ann@acme.test',
    role: 'analyst',
    roleSource: 'manual',
  });

  const listed = members('list', '--json');
  expect(listed.status).toBe(0);
  const rows = listed.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MemberLine);
  expect(rows.map((r) => [r.userName, r.role, r.roleSource])).toEqual([
    ['ann@acme.test', 'analyst', 'manual'],
    ['bob@acme.test', null, null],
    ['owner@acme.test', 'owner', 'owner'],
  ]);
  const human = members('list', '--role', 'none');
  expect(human.stdout).toMatch(/bob@acme\.test {2}active {2}no role/);
  expect(human.stdout).not.toMatch(/ann@/);
});

test('set-role refuses the owner role and needs --role or --none, changing nothing', () => {
  const owner = members('set-role', '--user', 'bob@acme.test', '--role', 'owner');
  expect(owner.status).toBe(1);
  expect(owner.stderr).toMatch(/only ever given by an ownership transfer/);
  const neither = members('set-role', '--user', 'bob@acme.test');
  expect(neither.status).toBe(1);
  expect(neither.stderr).toMatch(/--role <key>, or --none/);
  const bob = JSON.parse(
    members('list', '--json')
      .stdout.trim()
      .split('\n')
      .find((l) => l.includes('bob@'))!,
  ) as MemberLine;
  expect(bob.role).toBeNull();
});

test('deleting the Owner is refused with the message SCIM and the admin API give', () => {
  const result = members('delete', '--user', 'owner@acme.test');
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toBe(
    "roster: owner@acme.test is the account's Owner and cannot be deleted; transfer ownership first",
  );
  expect(members('list').stdout).toMatch(/owner@acme\.test/);
});

test('review prints the access review as CSV or JSON; delete removes a user', () => {
  const csv = members('review', '--csv');
  expect(csv.status).toBe(0);
  const lines = csv.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^id,userName,displayName,status,role,/);
  expect(lines).toHaveLength(4);
  const deleted = members('delete', '--user', 'bob@acme.test');
  expect(deleted.status).toBe(0);
  expect(deleted.stdout).toMatch(/Deleted bob@acme\.test/);
  const json = JSON.parse(members('review').stdout) as MemberLine[];
  expect(json.map((m) => m.userName)).toEqual(['ann@acme.test', 'owner@acme.test']);
});

test('accounts set-seats sets and lifts the seat limit, refusing what is not a whole number', () => {
  const seats = (limit: string) =>
    roster(['accounts', 'set-seats', '--account', account.accountId, '--limit', limit, '--json'], env);
  const set = seats('10');
  expect(set.status).toBe(0);
  expect(JSON.parse(set.stdout)).toEqual({ limit: 10, used: expect.any(Number) });
  const bad = seats('0');
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/whole number of at least 1, or "none"/);
  expect(JSON.parse(seats('none').stdout)).toMatchObject({ limit: null });
});
