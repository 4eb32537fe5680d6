/**
 * `roster events tail`: the operator reads the change feed of one account or of all, and follows
 * it as new events are written by the server.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { assertBuilt, roster as cli, root } from '../cli/run-cli';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
let env: Record<string, string>;
beforeAll(async () => {
  assertBuilt();
  roster = await startRoster();
  env = { DATABASE_URL: roster.database.url, PUBLIC_URL: 'https://roster.test' };
});
afterAll(() => roster.stop());

const lines = (stdout: string) => stdout.split('\n').filter((l) => l !== '');

test("--account prints that account's events only, as JSON lines; without it, every account's", async () => {
  const a = await createAccount(roster);
  const b = await createAccount(roster);
  await scimClient(roster, a.token).post('/Users', aUser('tail-a@example.test')).expect(201);
  await scimClient(roster, b.token).post('/Users', aUser('tail-b@example.test')).expect(201);

  const ofA = cli(['events', 'tail', '--account', a.accountId, '--json'], env);
  expect(ofA.status).toBe(0);
  const events = lines(ofA.stdout).map(
    (l) => JSON.parse(l) as { accountId: string; subject: { email?: string } },
  );
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => e.accountId === a.accountId)).toBe(true);
  expect(events.some((e) => e.subject.email === 'tail-a@example.test')).toBe(true);

  const all = cli(['events', 'tail', '--type', 'user.created'], env);
  expect(all.status).toBe(0);
  expect(all.stdout).toMatch(/user\.created +user \S+ +tail-a@example\.test/);
  expect(all.stdout).toMatch(/user\.created +user \S+ +tail-b@example\.test/);
  expect(all.stdout).not.toMatch(/scim_token|group\./);
  // The cursor to go on from is on stderr, so stdout stays the events alone.
  const next = /next cursor (\S+)/.exec(all.stderr)?.[1];
  expect(next).toBeDefined();
  expect(cli(['events', 'tail', '--after', next!], env).stdout).toBe('');
});

test('an unknown account, a bad cursor or an unknown type is an error (exit 1), not an empty feed', () => {
  const unknown = cli(['events', 'tail', '--account', '00000000-0000-4000-8000-000000000000'], env);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/not found/);
  expect(cli(['events', 'tail', '--after', 'nope'], env).status).toBe(1);
  const badType = cli(['events', 'tail', '--type', 'user.vanished'], env);
  expect(badType.status).toBe(1);
  expect(badType.stderr).toMatch(/Unknown event type "user\.vanished"/);
});

test('--follow prints events written after it started, until it is stopped', async () => {
  const account = await createAccount(roster);
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'roster.js'),
      'events',
      'tail',
      '--account',
      account.accountId,
      '--follow',
      '--json',
      '--interval',
      '0.2',
    ],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200 && !pattern.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(pattern);
  };
  try {
    await waitFor(/user\.created/); // the Owner createAccount made: the backlog is printed first
    await scimClient(roster, account.token).post('/Users', aUser('followed@example.test')).expect(201);
    await waitFor(/followed@example\.test/);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  const ids = lines(out).map((l) => (JSON.parse(l) as { id: string }).id);
  expect(new Set(ids).size).toBe(ids.length);
});
