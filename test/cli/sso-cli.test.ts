import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPair, TestIdp } from '../support/test-idp';
import { assertBuilt, roster } from './run-cli';

let dir: string;
let env: Record<string, string>;
let accountId: string;
let idp: TestIdp;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-sso-cli-'));
  env = { DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  accountId = (JSON.parse(created.stdout) as { accountId: string }).accountId;
  idp = await TestIdp.start('okta');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sso = (...args: string[]) => roster(['sso', ...args, '--account', accountId], env);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('sso show tells what to give the IdP; configure from a metadata file; show lists the IdP', () => {
  const before = sso('show');
  expect(before.status).toBe(0);
  const sp = `https://roster.example.com/sso/${accountId}`;
  expect(before.stdout).toContain(`SP metadata URL / entity id (Audience): ${sp}/metadata`);
  expect(before.stdout).toContain(`ACS URL (Single sign-on URL, Reply URL): ${sp}/acs`);
  expect(before.stdout).toContain('No IdP is configured.');

  const configured = sso('configure', '--metadata', file('okta.xml', idp.metadataXml()));
  expect(configured.status).toBe(0);
  expect(configured.stdout).toContain(`IdP entity id: ${idp.entityId}`);
  expect(configured.stdout).toContain('IdP-initiated logins: on');
  expect(configured.stdout).toContain('Sessions: idle 480 min, absolute 1440 min');
  const shown = JSON.parse(sso('show', '--json').stdout) as {
    idp: { idpEntityId: string; certificates: unknown[] };
  };
  expect(shown.idp.idpEntityId).toBe(idp.entityId);
  expect(shown.idp.certificates).toHaveLength(1);
});

test('configure by hand with two certificates, IdP-initiated off', async () => {
  const next = await keyPair('next key');
  const result = sso(
    'configure',
    '--entity-id',
    idp.entityId,
    '--sso-url',
    idp.ssoUrl,
    '--cert',
    file('current.pem', idp.cert),
    file('next.pem', next.cert),
    '--no-idp-initiated',
  );
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('IdP-initiated logins: off');
  expect(result.stdout.match(/^Certificate /gm)).toHaveLength(2);
});

test('refusals say which input is wrong', async () => {
  const broken = sso('configure', '--metadata', file('broken.xml', '<md:EntityDescriptor'));
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(/The IdP metadata was refused: it does not parse as XML/);
  const expired = await keyPair('expired key', -2);
  const old = sso(
    'configure',
    '--entity-id',
    'x',
    '--sso-url',
    'https://idp.test/sso',
    '--cert',
    file('old.pem', expired.cert),
  );
  expect(old.status).toBe(1);
  expect(old.stderr).toMatch(/Certificate 1 \(CN=expired key\) expired on/);
  const missing = sso('configure', '--entity-id', 'x');
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(
    /give --metadata FILE, or --entity-id, --sso-url and at least one --cert FILE/,
  );
});
