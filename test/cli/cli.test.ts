import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster, startServer } from './run-cli';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function createAccount() {
  const result = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(result.status).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as {
    accountId: string;
    scimBaseUrl: string;
    scimToken: string;
    scimTokenId: string;
  };
}

test('--help lists every command', () => {
  const result = roster(['--help'], env);
  expect(result.status).toBe(0);
  for (const command of ['accounts', 'scim-tokens', 'migrate']) expect(result.stdout).toContain(command);
  const tokens = roster(['scim-tokens', '--help'], env);
  for (const sub of ['issue', 'list', 'revoke']) expect(tokens.stdout).toContain(sub);
});

test('accounts create --json prints one JSON object with the account, base URL and a working token', async () => {
  const created = createAccount();
  expect(created.scimBaseUrl).toBe('https://roster.example.com/scim/v2');
  expect(created.scimToken).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
  const server = await startServer(env);
  try {
    const res = await fetch(`${server.url}/scim/v2/Users`, {
      headers: { Authorization: `Bearer ${created.scimToken}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { totalResults: number; Resources: { userName: string }[] };
    expect(body.totalResults).toBe(1);
    expect(body.Resources[0].userName).toBe('owner@acme.test');
  } finally {
    await server.stop();
  }
});

test('without --json it explains the result to a person', () => {
  const result = roster(['accounts', 'create', '--name', 'Beta', '--owner-email', 'o@beta.test'], env);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('SCIM base URL: https://roster.example.com/scim/v2');
  expect(result.stdout).toContain('shown this once');
});

test('tokens rotate: issue a second, list shows both without secrets, revoke stops the old one at once', async () => {
  const created = createAccount();
  const issued = roster(
    ['scim-tokens', 'issue', '--account', created.accountId, '--label', 'rotation', '--json'],
    env,
  );
  expect(issued.status).toBe(0);
  const second = JSON.parse(issued.stdout) as { tokenId: string; scimToken: string };
  const server = await startServer(env);
  try {
    const call = (token: string) =>
      fetch(`${server.url}/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    expect(await call(created.scimToken)).toBe(200);
    expect(await call(second.scimToken)).toBe(200);

    const listed = roster(['scim-tokens', 'list', '--account', created.accountId, '--json'], env);
    const rows = JSON.parse(listed.stdout) as { tokenId: string; lastUsed: string | null; created: string }[];
    expect(rows.map((r) => r.tokenId).sort()).toEqual([created.scimTokenId, second.tokenId].sort());
    expect(rows.every((r) => r.lastUsed !== null && r.created !== null)).toBe(true);
    expect(listed.stdout).not.toContain(created.scimToken);
    expect(listed.stdout).not.toContain(second.scimToken);

    const revoked = roster(
      ['scim-tokens', 'revoke', '--account', created.accountId, '--token', created.scimTokenId],
      env,
    );
    expect(revoked.status).toBe(0);
    expect(await call(created.scimToken)).toBe(401);
    expect(await call(second.scimToken)).toBe(200);
  } finally {
    await server.stop();
  }
});

test('the stored token is a hash: the secret appears nowhere in the database file', () => {
  const created = createAccount();
  const files = ['roster.sqlite', 'roster.sqlite-wal'].map((f) => join(dir, f));
  const contents = files.map((f) => {
    try {
      return readFileSync(f).toString('latin1');
    } catch {
      return '';
    }
  });
  expect(contents.join('')).not.toContain(created.scimToken);
  expect(contents.join('')).not.toContain(created.scimToken.slice(4));
});

test('a bad setting stops the CLI and the server with a message naming the variable', async () => {
  const bad = roster(['accounts', 'create', '--name', 'X', '--owner-email', 'x@x.test'], {
    ...env,
    PORT: 'eighty',
  });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('PORT');
  await expect(startServer({ ...env, DATABASE_URL: 'postgres://nope' })).rejects.toThrow(/DATABASE_URL/);
});

test('a broken role catalogue stops the start with a message naming the file and the key', async () => {
  const broken = join(dir, 'broken-catalogue.json');
  const catalogue = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'config', 'catalogues', 'simple.json'), 'utf8'),
  );
  catalogue.roles[1].permissions.push('reports.fly');
  writeFileSync(broken, JSON.stringify(catalogue));
  await expect(startServer({ ...env, ROLE_CATALOGUE: broken })).rejects.toThrow(
    /broken-catalogue\.json: roles\[1\]\.permissions\[\d+\]: unknown permission "reports\.fly"/,
  );
  const cli = roster(['scim-tokens', 'list', '--account', '00000000-0000-4000-8000-000000000000'], {
    ...env,
    ROLE_CATALOGUE: broken,
  });
  expect(cli.status).toBe(1);
  expect(cli.stderr).toContain('broken-catalogue.json');
});

test('ROLE_CATALOGUE chooses the catalogue whose roles can be mapped', () => {
  const created = createAccount();
  const onlyIn = { default: 'campaign_coordinator', simple: 'read_only', granular: 'sender' } as const;
  for (const [name, role] of Object.entries(onlyIn)) {
    const withCatalogue = { ...env, ROLE_CATALOGUE: name };
    const map = (roleKey: string) =>
      roster(
        [
          'mappings',
          'add',
          '--account',
          created.accountId,
          '--group-name',
          `${name}-${roleKey}`,
          '--role',
          roleKey,
        ],
        withCatalogue,
      );
    expect(map(role).status).toBe(0);
    const foreign = Object.values(onlyIn).find((r) => r !== role) as string;
    const refused = map(foreign);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`Unknown role "${foreign}"`);
  }
});

test('ownership force-transfer moves ownership to an active user and is audited with its reason', async () => {
  const created = createAccount();
  const server = await startServer(env);
  let heir: string;
  try {
    const res = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${created.scimToken}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'heir@acme.test' }),
    });
    heir = ((await res.json()) as { id: string }).id;
  } finally {
    await server.stop();
  }
  const noReason = roster(['ownership', 'force-transfer', '--account', created.accountId, '--to', heir], env);
  expect(noReason.status).toBe(1);
  expect(noReason.stderr).toContain('--reason');
  const moved = roster(
    [
      'ownership',
      'force-transfer',
      '--account',
      created.accountId,
      '--to',
      heir,
      '--reason',
      'Owner left',
      '--json',
    ],
    env,
  );
  expect(moved.status).toBe(0);
  expect(JSON.parse(moved.stdout)).toEqual({ accountId: created.accountId, ownerUserId: heir });
});

test('api-keys create issues a member key or the service key; the member key answers /api/v1/authorize', async () => {
  const created = createAccount();
  const neither = roster(['api-keys', 'create', '--account', created.accountId], env);
  expect(neither.status).toBe(1);
  expect(neither.stderr).toContain('exactly one of --user');
  const member = roster(
    ['api-keys', 'create', '--account', created.accountId, '--user', 'OWNER@acme.test', '--json'],
    env,
  );
  expect(member.status).toBe(0);
  const { apiKey, kind } = JSON.parse(member.stdout) as { apiKey: string; kind: string };
  expect(kind).toBe('member');
  const service = roster(['api-keys', 'create', '--account', created.accountId, '--service', '--json'], env);
  expect(JSON.parse(service.stdout)).toMatchObject({
    kind: 'service',
    userId: null,
    apiKey: expect.stringMatching(/^rak_/),
  });
  const server = await startServer(env);
  try {
    const res = await fetch(`${server.url}/api/v1/authorize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'owner@acme.test', permission: 'account.close' }),
    });
    expect(await res.json()).toEqual({ allowed: true, role: 'owner', reason: 'granted_by_role' });
  } finally {
    await server.stop();
  }
});

test('roster audit shows the audit log of an account, newest first', () => {
  const created = createAccount();
  const result = roster(['audit', '--account', created.accountId, '--json'], env);
  expect(result.status).toBe(0);
  const page = JSON.parse(result.stdout) as { events: { action: string; channel: string }[] };
  expect(page.events.map((e) => e.action)).toEqual([
    'scim_token.issued',
    'user.role_changed',
    'account.created',
    'user.provisioned',
  ]);
  expect(page.events.every((e) => e.channel === 'cli')).toBe(true);
  const human = roster(['audit', '--account', created.accountId, '--action', 'account.created'], env);
  expect(human.stdout).toContain('account.created');
  expect(human.stdout.trim().split('\n')).toHaveLength(1);
});

test('an unknown account is refused clearly', () => {
  const result = roster(['scim-tokens', 'list', '--account', '00000000-0000-4000-8000-000000000000'], env);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('not found');
});

test('the server answers health and readiness checks', async () => {
  const server = await startServer(env);
  try {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  } finally {
    await server.stop();
  }
});
