import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram, run as runInProcess } from '../../src/cli/index';
import { freshDatabase, type TestDatabase } from '../support/database';
import { assertBuilt, root } from './run-cli';

/**
 * The operator's command line as a person meets it: every command about an account refuses an
 * unknown one, expected errors are one line (never a stack trace), every result can be JSON, and
 * the CLI says which database it opened. Runs on SQLite, and on MariaDB with DB=mariadb.
 */
const cli = join(root, 'bin', 'roster.js');
const stackTrace = /^\s+at /m;

let dir: string;
let database: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-ops-cli-'));
  database = await freshDatabase();
  env = { DATABASE_URL: database.url, PUBLIC_URL: 'https://roster.example.com' };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, without blocking the test (several run at once). */
function run(
  args: string[],
  extraEnv: Record<string, string | undefined> = env,
  cwd = root,
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: undefined, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The same CLI code in this process (what bin/roster.js calls), its output captured: thirty runs
 * of the real binary cost a minute of node start-ups on a busy machine.
 */
async function runHere(args: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PUBLIC_URL: process.env.PUBLIC_URL };
  process.stdout.write = ((chunk: unknown) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  Object.assign(process.env, env);
  process.exitCode = undefined;
  try {
    const status = await runInProcess(['node', 'roster', ...args]);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(process.stdout, { write: writes.stdout });
    Object.assign(process.stderr, { write: writes.stderr });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    process.exitCode = undefined;
  }
}

/** Every command that does something (no subcommands of its own), with its path. */
function leafCommands(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return command.commands.flatMap((sub) =>
    sub.commands.length === 0
      ? [{ path: [...path, sub.name()], command: sub }]
      : leafCommands(sub, [...path, sub.name()]),
  );
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function createAccount(name: string): Promise<{ accountId: string; scimToken: string }> {
  const created = await runHere([
    'accounts',
    'create',
    '--name',
    name,
    '--owner-email',
    `owner@${name}.test`,
    '--json',
  ]);
  expect(created.status).toBe(0);
  return JSON.parse(created.stdout) as { accountId: string; scimToken: string };
}

test('roster --version prints the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const result = await run(['--version']);
  expect(result).toMatchObject({ status: 0, stdout: `${version}\n` });
});

test('every command about an account refuses an unknown one: exit 1, one line, nothing printed, nothing written', async () => {
  /** What a command needs besides its account before it gets as far as opening it. */
  const extra: Record<string, string[]> = {
    'mappings add': ['--group-name', 'Sales'],
    'api-keys create': ['--service'],
    'mfa set': ['--required', 'on'],
    'support grant': ['--days', '7'],
    'members set-role': ['--role', 'analyst'],
    'sso configure': ['--metadata', write('idp.xml', '<EntityDescriptor/>')],
  };
  const values: Record<string, () => string> = {
    '--file': () => write('staff.csv', 'employee_id,email\n'),
    '--limit': () => '5',
  };
  const filler = (long: string) => (values[long] ?? randomUUID)();
  const unknown = randomUUID();
  const commands = leafCommands(buildProgram())
    .map(({ path, command }) => {
      const options = command.options.filter((o) => o.long);
      const accountOption = options.find((o) => o.long === '--account' || o.long === '--parent');
      if (!accountOption) return null;
      const args = [...path, accountOption.long as string, unknown];
      for (const option of options) {
        if (option === accountOption || !option.mandatory) continue;
        args.push(option.long as string, option.argChoices?.[0] ?? filler(option.long as string));
      }
      return [...args, ...(extra[path.join(' ')] ?? [])];
    })
    .filter((args): args is string[] => args !== null);
  expect(commands.length).toBeGreaterThanOrEqual(30);
  const results: (Result & { args: string[] })[] = [];
  // hr-sync tunes V8's collector for its bulk work: only in a process of its own.
  for (const args of commands)
    results.push({ args, ...(await (args[0] === 'hr-sync' ? run(args) : runHere(args))) });
  results.push({ args: ['members', 'list'], ...(await run(['members', 'list', '--account', unknown])) });
  for (const result of results) {
    expect({ args: result.args, status: result.status, stdout: result.stdout }).toEqual({
      args: result.args,
      status: 1,
      stdout: '',
    });
    expect(result.stderr).toContain(`roster: Account ${unknown} not found`);
    expect(result.stderr).not.toMatch(stackTrace);
  }
  const notAnId = await run(['members', 'list', '--account', 'acme']);
  expect(notAnId).toMatchObject({ status: 1, stdout: '' });
  expect(notAnId.stderr).toContain('Account acme not found');
  expect(await database.query('SELECT id FROM accounts')).toEqual([]);
});

test('every command can print its result as JSON (--json)', () => {
  const without = leafCommands(buildProgram())
    .filter(({ command }) => !command.options.some((o) => o.long === '--json'))
    .map(({ path }) => path.join(' '));
  expect(without).toEqual([]);
});

test('the CLI says on stderr which database it opened when DATABASE_URL is set, and when it creates the default one', async () => {
  const listed = await run(['accounts', 'list', '--json']);
  expect(listed.status).toBe(0);
  const shown = database.dialect === 'sqlite' ? database.url : database.url.replace(/:[^:@/]+@/, ':***@');
  expect(listed.stderr).toBe(`roster: using the database at DATABASE_URL=${shown}\n`);

  const elsewhere = mkdtempSync(join(tmpdir(), 'roster-cwd-'));
  try {
    const first = await run(['accounts', 'list'], {}, elsewhere);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(
      `created a new, empty database at ${join(elsewhere, 'data', 'roster.sqlite')}`,
    );
    expect((await run(['accounts', 'list'], {}, elsewhere)).stderr).toBe('');
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('accounts list and accounts show: every account, and one in full', async () => {
  const acme = await createAccount('acme');
  const beta = await createAccount('beta');
  const listed = await runHere(['accounts', 'list', '--json']);
  const accounts = listed.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { accountId: string; name: string });
  expect(accounts.map((a) => a.accountId)).toEqual(expect.arrayContaining([acme.accountId, beta.accountId]));
  expect(accounts.find((a) => a.accountId === acme.accountId)).toMatchObject({
    name: 'acme',
    status: 'active',
  });

  const shown = await runHere(['accounts', 'show', '--account', acme.accountId, '--json']);
  expect(shown.status).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({
    accountId: acme.accountId,
    name: 'acme',
    ownerUserName: 'owner@acme.test',
    seats: { used: 1, limit: null },
    liveScimTokens: 1,
    liveApiKeys: 0,
  });
  const human = await runHere(['accounts', 'show', '--account', acme.accountId]);
  expect(human.stdout).toMatch(/owner: +owner@acme.test/);
});

test('api-keys list shows created and last-used times, never a key; revoke ends one by id, or by the leaked key alone', async () => {
  const { accountId } = await createAccount('keys');
  const create = async (...args: string[]) =>
    JSON.parse((await runHere(['api-keys', 'create', '--account', accountId, ...args, '--json'])).stdout) as {
      apiKeyId: string;
      apiKey: string;
    };
  const service = await create('--service', '--label', 'backend');
  const member = await create('--user', 'owner@keys.test');
  const list = async () =>
    JSON.parse((await runHere(['api-keys', 'list', '--account', accountId, '--json'])).stdout) as {
      apiKeyId: string;
      label: string;
      lastUsed: string | null;
      revoked: string | null;
    }[];
  const before = await list();
  expect(before.map((k) => k.apiKeyId).sort()).toEqual([service.apiKeyId, member.apiKeyId].sort());
  expect(before.find((k) => k.apiKeyId === service.apiKeyId)).toMatchObject({
    label: 'backend',
    lastUsed: null,
    revoked: null,
  });
  expect(JSON.stringify(before)).not.toContain(service.apiKey.slice(4));

  const byId = await runHere([
    'api-keys',
    'revoke',
    '--account',
    accountId,
    '--key',
    service.apiKeyId,
    '--json',
  ]);
  expect(byId.status).toBe(0);
  expect(JSON.parse(byId.stdout)).toMatchObject({ apiKeyId: service.apiKeyId, revoked: expect.any(String) });
  const byKey = await runHere(['api-keys', 'revoke', '--key', member.apiKey]);
  expect(byKey.status).toBe(0);
  expect(byKey.stdout).toContain(`API key ${member.apiKeyId}`);
  expect((await list()).every((k) => k.revoked !== null)).toBe(true);

  const again = await runHere(['api-keys', 'revoke', '--key', member.apiKey]);
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/No live API key/);
  const never = await runHere(['api-keys', 'revoke', '--key', 'rak_never-issued']);
  expect(never.status).toBe(1);
  expect(never.stderr).toMatch(/never issued here/);
  expect(never.stderr).not.toMatch(stackTrace);
});

test('hr-sync: a missing file and a file that is not CSV are one-line errors (exit 1), never a stack trace', async () => {
  const { accountId } = await createAccount('hr');
  const missing = await run(['hr-sync', '--account', accountId, '--file', join(dir, 'nope.csv')]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/roster: Cannot read .*nope\.csv: ENOENT/);
  expect(missing.stderr).not.toMatch(stackTrace);

  const broken = write('broken.csv', 'employee_id,email\nE1,"ann@acme.test\nE2,bo@acme.test,"x"y\n');
  const bad = await run(['hr-sync', '--account', accountId, '--file', broken]);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/roster: .*broken\.csv is not a CSV file Roster can read/);
  expect(bad.stderr).not.toMatch(stackTrace);
});

test('the HR sync report as CSV escapes cells a spreadsheet would run as formulas, as the access review does', async () => {
  const { accountId } = await createAccount('formula');
  const file = write(
    'formula.csv',
    'employee_id,email\n"=HYPERLINK(""http://evil.test"")",eve@formula.test\n',
  );
  const report = join(dir, 'report.csv');
  const result = await run([
    'hr-sync',
    '--account',
    accountId,
    '--file',
    file,
    '--dry-run',
    '--report',
    report,
  ]);
  expect(result.status).toBe(0);
  const csv = readFileSync(report, 'utf8');
  expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
  expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
});
