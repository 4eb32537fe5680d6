import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, roster } from './run-cli';

let dir: string;
let env: Record<string, string>;
let accountId: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-mfa-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  accountId = (JSON.parse(created.stdout) as { accountId: string }).accountId;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mfa = (...args: string[]) => roster(['mfa', ...args, '--account', accountId], env);

test('show the default policy; set roles and step-up; options left out keep their value', () => {
  const shown = mfa('show');
  expect(shown.status).toBe(0);
  expect(shown.stdout).toMatch(/MFA required for everyone: no/);
  expect(shown.stdout).toMatch(/TOTP step-up when the IdP did not prove MFA: allowed/);

  const set = mfa('set', '--roles', 'owner,admin', '--totp-step-up', 'off', '--json');
  expect(set.status).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({
    required: false,
    roleKeys: ['owner', 'admin'],
    allowTotpStepUp: false,
  });
  expect(mfa('set', '--required', 'on').stdout).toMatch(/MFA required for roles: owner, admin/);

  const refused = mfa('set', '--roles', 'wizard');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/Unknown role "wizard"/);
  expect(mfa('set').status).not.toBe(0);
});

test("set and clear a user's own flag by userName", () => {
  const on = mfa('user', '--user', 'owner@acme.test', '--required', 'on', '--json');
  expect(on.status).toBe(0);
  expect(JSON.parse(on.stdout)).toMatchObject({ required: true, userFlag: true });
  const unset = mfa('user', '--user', 'owner@acme.test', '--required', 'unset', '--json');
  expect(JSON.parse(unset.stdout)).toMatchObject({ userFlag: null });
  expect(mfa('user', '--user', 'nobody@acme.test', '--required', 'on').stderr).toMatch(/not found/);
});

test('reset-totp names a user without an authenticator instead of pretending', () => {
  const reset = mfa('reset-totp', '--user', 'owner@acme.test');
  expect(reset.status).toBe(1);
  expect(reset.stderr).toMatch(/has no TOTP to reset/);
  expect(mfa('reset-totp', '--user', 'nobody@acme.test').stderr).toMatch(/not found/);
});
