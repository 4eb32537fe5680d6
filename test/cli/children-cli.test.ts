import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster, startServer } from './run-cli';

let dir: string;
let env: Record<string, string>;
let server: { url: string; stop: () => Promise<void> };
let parent: { accountId: string; scimToken: string };

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-children-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  parent = JSON.parse(created.stdout) as { accountId: string; scimToken: string };
  server = await startServer(env);
  const res = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${parent.scimToken}`, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ann@acme.test',
    }),
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface AccessLine {
  accountId: string;
  name: string;
  kind: 'own' | 'child';
  access: boolean;
  role: string | null;
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AccessLine);

test("create-child makes a child whose Owner is the parent's Owner, with no SCIM token until asked", () => {
  const created = roster(
    ['accounts', 'create-child', '--parent', parent.accountId, '--name', 'Acme EU', '--json'],
    env,
  );
  expect(created.stderr).toBe('');
  const child = JSON.parse(created.stdout) as Record<string, string>;
  expect(child).toMatchObject({ name: 'Acme EU', parentId: parent.accountId, ownerEmail: 'owner@acme.test' });
  expect(child).not.toHaveProperty('scimToken');
  const issued = roster(['scim-tokens', 'issue', '--account', child.accountId, '--json'], env);
  expect(issued.status).toBe(0);

  const nested = roster(['accounts', 'create-child', '--parent', child.accountId, '--name', 'Deeper'], env);
  expect(nested.status).toBe(1);
  expect(nested.stderr).toContain('one level only');
});

test('access set gives, changes and takes away access to a child; the last account is kept', () => {
  const created = roster(
    ['accounts', 'create-child', '--parent', parent.accountId, '--name', 'Acme US', '--json'],
    env,
  );
  const child = JSON.parse(created.stdout) as { accountId: string };
  const access = (...args: string[]) =>
    roster(
      [
        'access',
        'set',
        '--account',
        parent.accountId,
        '--user',
        'ann@acme.test',
        '--child',
        child.accountId,
        ...args,
        '--json',
      ],
      env,
    );

  const given = access('--access', 'yes', '--role', 'analyst');
  expect(given.stderr).toBe('');
  expect(lines(given.stdout).find((l) => l.accountId === child.accountId)).toMatchObject({
    access: true,
    role: 'analyst',
  });
  expect(
    lines(access('--access', 'yes', '--role', 'manager').stdout).find((l) => l.kind === 'child' && l.access),
  ).toMatchObject({ role: 'manager' });

  // Ann has no role in the parent, so this child is the only account she can reach.
  const refused = access('--access', 'no');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain('last account');

  const bad = access('--access', 'maybe');
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toContain('maybe');

  const shown = roster(
    ['access', 'show', '--account', parent.accountId, '--user', 'ann@acme.test', '--json'],
    env,
  );
  expect(lines(shown.stdout).map((l) => [l.name, l.access, l.role])).toEqual([
    ['Acme', false, null],
    ['Acme EU', false, null],
    ['Acme US', true, 'manager'],
  ]);
});
