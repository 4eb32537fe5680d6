import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster, startServer } from './run-cli';

const ROSTER_URN = 'urn:roster:params:scim:schemas:extension:2.0:User';

let dir: string;
let env: Record<string, string>;
let server: { url: string; stop: () => Promise<void> };
let account: { accountId: string; scimToken: string };

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-mappings-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  account = JSON.parse(created.stdout) as { accountId: string; scimToken: string };
  server = await startServer(env);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function scim(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${account.scimToken}`,
      'Content-Type': 'application/scim+json',
      Accept: 'application/scim+json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let counter = 0;
async function createUser(): Promise<string> {
  counter += 1;
  const userName = `member${counter}@acme.test`;
  const res = await scim('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Test', familyName: `Member${counter}` },
    emails: [{ primary: true, value: userName, type: 'work' }],
    active: true,
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function createGroup(displayName: string, members: string[], externalId?: string): Promise<string> {
  const res = await scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName,
    ...(externalId ? { externalId } : {}),
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function rosterExtensionOf(userId: string): Promise<Record<string, unknown>> {
  const res = await scim('GET', `/Users/${userId}`);
  expect(res.status).toBe(200);
  return res.body[ROSTER_URN] as Record<string, unknown>;
}

interface MappingRow {
  mappingId: string;
  matchKind: string;
  matchValue: string;
  roleKey: string;
  created: string;
}

function cli(args: string[]) {
  return roster(['mappings', ...args], env);
}

function listMappings(): MappingRow[] {
  const listed = cli(['list', '--account', account.accountId, '--json']);
  expect(listed.status).toBe(0);
  return JSON.parse(listed.stdout) as MappingRow[];
}

test('--help lists the mappings command and its subcommands and group options', () => {
  expect(roster(['--help'], env).stdout).toContain('mappings');
  const help = cli(['--help']);
  expect(help.status).toBe(0);
  for (const sub of ['add', 'list', 'remove']) expect(help.stdout).toContain(sub);
  const addHelp = cli(['add', '--help']);
  for (const option of ['--group-id', '--group-external-id', '--group-name', '--role']) {
    expect(addHelp.stdout).toContain(option);
  }
});

test('add --group-name gives the members the role, list shows the mapping, remove takes the role away', async () => {
  const alice = await createUser();
  await createGroup('Marketing Analysts', [alice]);
  expect(await rosterExtensionOf(alice)).toEqual({ role: 'none', mfaEnforced: false });

  const added = cli([
    'add',
    '--account',
    account.accountId,
    '--group-name',
    'marketing analysts',
    '--role',
    'analyst',
    '--json',
  ]);
  expect(added.stderr).toBe('');
  expect(added.status).toBe(0);
  const lines = added.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const mapping = JSON.parse(lines[0]) as MappingRow;
  expect(mapping).toMatchObject({ matchKind: 'displayName', roleKey: 'analyst' });
  expect(mapping.mappingId).toMatch(/^[0-9a-f-]{36}$/);

  expect(await rosterExtensionOf(alice)).toMatchObject({
    roleKey: 'analyst',
    roleSource: 'group',
    roleGroup: 'Marketing Analysts',
  });

  const rows = listMappings();
  const listedMapping = rows.find((r) => r.mappingId === mapping.mappingId);
  expect(listedMapping).toMatchObject({
    matchKind: 'displayName',
    matchValue: 'marketing analysts',
    roleKey: 'analyst',
  });
  expect(new Date(listedMapping!.created).toISOString()).toBe(listedMapping!.created);
  const human = cli(['list', '--account', account.accountId]);
  expect(human.status).toBe(0);
  expect(human.stdout).toContain(mapping.mappingId);
  expect(human.stdout).toContain('analyst');

  const removed = cli(['remove', '--account', account.accountId, '--mapping', mapping.mappingId, '--json']);
  expect(removed.status).toBe(0);
  expect(JSON.parse(removed.stdout)).toEqual({ mappingId: mapping.mappingId, removed: true });
  expect(await rosterExtensionOf(alice)).toEqual({ role: 'none', mfaEnforced: false });
  expect(listMappings().find((r) => r.mappingId === mapping.mappingId)).toBeUndefined();
});

test('add --group-id and --group-external-id match the group by its id and externalId', async () => {
  const bob = await createUser();
  const carol = await createUser();
  const byId = await createGroup('Support Desk', [bob]);
  await createGroup('Content Team', [carol], 'okta-00g-content');

  const first = cli(['add', '--account', account.accountId, '--group-id', byId, '--role', 'support']);
  expect(first.status).toBe(0);
  expect(first.stdout).toContain('added');
  const second = cli([
    'add',
    '--account',
    account.accountId,
    '--group-external-id',
    'okta-00g-content',
    '--role',
    'content_creator',
  ]);
  expect(second.status).toBe(0);

  expect(await rosterExtensionOf(bob)).toMatchObject({ roleKey: 'support', roleGroup: 'Support Desk' });
  expect(await rosterExtensionOf(carol)).toMatchObject({ roleKey: 'content_creator' });
  const rows = listMappings();
  expect(rows).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ matchKind: 'id', matchValue: byId, roleKey: 'support' }),
      expect.objectContaining({
        matchKind: 'externalId',
        matchValue: 'okta-00g-content',
        roleKey: 'content_creator',
      }),
    ]),
  );
});

test('the owner role is refused: exit 1 with a message about transfer, and nothing is mapped', async () => {
  const dave = await createUser();
  await createGroup('Would-be Owners', [dave]);
  const before = listMappings().length;
  const result = cli([
    'add',
    '--account',
    account.accountId,
    '--group-name',
    'Would-be Owners',
    '--role',
    'owner',
  ]);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^roster: .*transfer/);
  expect(listMappings()).toHaveLength(before);
  expect(await rosterExtensionOf(dave)).toEqual({ role: 'none', mfaEnforced: false });
});

test('an unknown role and a group already mapped are refused with exit 1 and the reason', async () => {
  await createGroup('Analysts Again', []);
  const unknown = cli([
    'add',
    '--account',
    account.accountId,
    '--group-name',
    'Analysts Again',
    '--role',
    'wizard',
  ]);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/^roster: Unknown role "wizard"/);

  const args = ['add', '--account', account.accountId, '--group-name', 'Analysts Again', '--role', 'analyst'];
  expect(cli(args).status).toBe(0);
  const again = cli(args);
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/^roster: .*already mapped/);
});

test('exactly one group option: two of them, or none, are refused before anything is changed', () => {
  const before = listMappings().length;
  const both = cli([
    'add',
    '--account',
    account.accountId,
    '--group-name',
    'X',
    '--group-id',
    'Y',
    '--role',
    'analyst',
  ]);
  expect(both.status).toBe(1);
  expect(both.stderr).toMatch(
    /--group-name.*cannot be used with.*--group-id|--group-id.*cannot be used with.*--group-name/,
  );
  const none = cli(['add', '--account', account.accountId, '--role', 'analyst']);
  expect(none.status).toBe(1);
  expect(none.stderr).toContain('--group-id, --group-external-id, --group-name');
  expect(listMappings()).toHaveLength(before);
});

test('removing an unknown mapping and using an unknown account are refused clearly', () => {
  const missing = cli([
    'remove',
    '--account',
    account.accountId,
    '--mapping',
    '00000000-0000-4000-8000-000000000000',
  ]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/^roster: Mapping .* not found/);
  const noAccount = cli(['list', '--account', 'not-an-account']);
  expect(noAccount.status).toBe(1);
  expect(noAccount.stderr).toContain('not found');
});
