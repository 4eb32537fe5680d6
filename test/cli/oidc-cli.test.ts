import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertBuilt, roster } from './run-cli';

let dir: string;
let env: Record<string, string>;
let accountId: string;

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-oidc-cli-'));
  env = {
    DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`,
    PUBLIC_URL: 'https://roster.example.com',
    OIDC_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  accountId = (JSON.parse(created.stdout) as { accountId: string }).accountId;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = (sql: string) => {
  const db = new Database(join(dir, 'roster.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

test('clients create --json shows the secret once; the database keeps only its SHA-256; list never shows it', () => {
  const created = roster(
    [
      'clients',
      'create',
      '--name',
      'Acme app',
      '--redirect-uri',
      'https://app.example.com/callback',
      '--redirect-uri',
      'https://app.example.com/other',
      '--backchannel-logout-uri',
      'https://app.example.com/backchannel',
      '--json',
    ],
    env,
  );
  expect(created.status).toBe(0);
  const client = JSON.parse(created.stdout) as Record<string, unknown>;
  expect(client).toMatchObject({
    clientId: expect.stringMatching(/^rc_/),
    clientSecret: expect.stringMatching(/^rcs_/),
    issuer: 'https://roster.example.com/oidc',
    redirectUris: ['https://app.example.com/callback', 'https://app.example.com/other'],
    tokenEndpointAuthMethod: 'client_secret_basic',
  });
  const [stored] = rows(`SELECT * FROM oidc_clients WHERE id = '${String(client.clientId)}'`);
  expect(stored.secret_hash).toBe(createHash('sha256').update(String(client.clientSecret)).digest('hex'));
  expect(JSON.stringify(rows('SELECT * FROM oidc_clients'))).not.toContain(String(client.clientSecret));
  const listed = roster(['clients', 'list', '--json'], env);
  expect(listed.stdout).toContain(String(client.clientId));
  expect(listed.stdout).not.toContain(String(client.clientSecret));
  expect(roster(['clients', 'revoke', '--client', String(client.clientId)], env).status).toBe(0);
  expect(roster(['clients', 'revoke', '--client', String(client.clientId)], env)).toMatchObject({
    status: 1,
  });
});

test('clients create refuses a wildcard, a fragment or plain http off localhost, naming the URI', () => {
  for (const uri of [
    'https://*.example.com/cb',
    'https://app.example.com/cb#x',
    'http://app.example.com/cb',
  ]) {
    const refused = roster(['clients', 'create', '--name', 'Bad', '--redirect-uri', uri], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(uri);
  }
  expect(rows("SELECT id FROM oidc_clients WHERE name = 'Bad'")).toHaveLength(0);
});

test('domains claim normalises; oidc keys rotate makes a new current key and keeps the old one', () => {
  const claimed = roster(
    ['domains', 'claim', '--account', accountId, '--domain', 'Bücher.Example', '--json'],
    env,
  );
  expect(JSON.parse(claimed.stdout)).toEqual({ accountId, domain: 'xn--bcher-kva.example' });
  const first = roster(['oidc', 'keys', 'rotate', '--json'], env);
  const second = roster(['oidc', 'keys', 'rotate', '--json'], env);
  const { kid, retired } = JSON.parse(second.stdout) as { kid: string; retired: string[] };
  expect(retired).toEqual([(JSON.parse(first.stdout) as { kid: string }).kid]);
  const keys = JSON.parse(roster(['oidc', 'keys', 'list', '--json'], env).stdout) as {
    kid: string;
    retired: string | null;
  }[];
  expect(keys.find((k) => k.retired === null)?.kid).toBe(kid);
  expect(keys).toHaveLength(2);
  const [stored] = rows(`SELECT sealed_private_jwk FROM oidc_signing_keys WHERE kid = '${kid}'`);
  expect(String(stored.sealed_private_jwk)).toMatch(/^v1\./);
  const off = roster(['oidc', 'keys', 'rotate'], { ...env, OIDC_KEY_ENCRYPTION_KEY: '' });
  expect(off).toMatchObject({ status: 1 });
  expect(off.stderr).toMatch(/OIDC_KEY_ENCRYPTION_KEY/);
});
