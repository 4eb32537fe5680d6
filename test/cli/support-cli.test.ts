import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster, startServer } from './run-cli';

let dir: string;
let env: Record<string, string>;
let accountId: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-support-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  accountId = (JSON.parse(created.stdout) as { accountId: string }).accountId;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const support = (...args: string[]) => roster(['support', ...args, '--account', accountId], env);

test('a session needs a grant; with one, the agent reads the admin API until the grant is revoked', async () => {
  const refused = support('session', '--agent', 'Sam');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/has not granted support access/);

  expect(support('grant', '--days', '5').status).not.toBe(0);
  const granted = support('grant', '--days', '7', '--json');
  expect(granted.status).toBe(0);
  const { grantId } = JSON.parse(granted.stdout) as { grantId: string };
  expect(support('list').stdout).toMatch(new RegExp(`${grantId} {2}active {2}granted by operator`));

  const session = support('session', '--agent', 'Sam', '--json');
  const { secret } = JSON.parse(session.stdout) as { secret: string };
  expect(secret).toMatch(/^rsp_/);
  const server = await startServer(env);
  try {
    const members = () =>
      fetch(`${server.url}/api/v1/members`, { headers: { Authorization: `Bearer ${secret}` } });
    expect((await members()).status).toBe(200);
    expect(support('revoke', '--grant', grantId).status).toBe(0);
    expect((await members()).status).toBe(401);
  } finally {
    await server.stop();
  }
});

test('jobs list shows the sweeps; jobs run runs one and reports what it did', () => {
  const listed = roster(['jobs', 'list'], env);
  expect(listed.status).toBe(0);
  expect(listed.stdout).toMatch(/support-access-expiry/);
  const ran = roster(['jobs', 'run', 'support-access-expiry'], env);
  expect(ran.status).toBe(0);
  expect(ran.stdout.trim()).toBe('support-access-expiry: 0 support grants expired');
  const unknown = roster(['jobs', 'run', 'nope'], env);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(
    /No job "nope"; jobs: support-access-expiry, invitation-expiry, inactivity, hr-due-dates/,
  );
});
