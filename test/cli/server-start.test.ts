import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertBuilt, roster, runServer, startServer } from './run-cli';

/** How the real server (`node dist/src/main.js`) starts, or refuses to, as an operator sees it. */
let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listening(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const stackTrace = /^\s+at /m;

test('a port already in use stops the start with exit 1 and says which port, never "listening"', async () => {
  const taken = await listening();
  try {
    const port = portOf(taken);
    const result = runServer({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'port.sqlite')}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`PORT=${port}: the port is already in use`);
    expect(result.stdout).not.toContain('Roster is listening');
    expect(result.stderr).not.toMatch(stackTrace);
  } finally {
    taken.close();
  }
});

test('a configuration error names the variables and never prints a secret', () => {
  const password = 'Sup3r-S3cret-pw';
  const totpKey = 'my-totp-key-that-is-not-32-bytes';
  const result = runServer({
    DATABASE_URL: `postgres://roster:${password}@db.internal/roster`,
    MFA_TOTP_KEY: totpKey,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('DATABASE_URL="postgres://roster:***@db.internal/roster"');
  expect(result.stderr).toContain(
    `MFA_TOTP_KEY=(hidden: ${totpKey.length} characters): must be 32 bytes, base64`,
  );
  expect(result.stderr).not.toContain(password);
  expect(result.stderr).not.toContain(totpKey);
});

test('an unreachable database names DATABASE_URL without its password, with no stack trace', async () => {
  const closed = await listening();
  const port = portOf(closed);
  await new Promise((r) => closed.close(r));
  const password = 'An0ther-S3cret';
  const result = runServer({ DATABASE_URL: `mysql://roster:${password}@127.0.0.1:${port}/roster` });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    `Cannot open the database at DATABASE_URL=mysql://roster:***@127.0.0.1:${port}/roster`,
  );
  expect(result.stderr).toContain('ECONNREFUSED');
  expect(result.stderr).not.toContain(password);
  expect(result.stderr).not.toMatch(stackTrace);
});

test("without MFA_TOTP_KEY, a policy only Roster's TOTP could satisfy is refused, and the server warns at start about one set earlier", async () => {
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'totp.sqlite')}`,
    PUBLIC_URL: 'https://roster.example.com',
  };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'o@acme.test', '--json'],
    env,
  );
  const { accountId } = JSON.parse(created.stdout) as { accountId: string };
  const totpOnly = [
    'mfa',
    'set',
    '--account',
    accountId,
    '--authn-context-class-refs',
    '',
    '--authn-methods',
    '',
  ];

  const refused = roster(totpOnly, env);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/only proof of MFA, but this server has no MFA_TOTP_KEY/);
  expect(refused.stderr).not.toMatch(stackTrace);

  const withKey = roster(totpOnly, { ...env, MFA_TOTP_KEY: randomBytes(32).toString('base64') });
  expect(withKey.status).toBe(0);

  const server = await startServer(env);
  try {
    const warning = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; accounts?: string[] })
      .find((line) => line.msg.startsWith('MFA_TOTP_KEY is not set'));
    expect(warning).toMatchObject({ level: 40, accounts: [accountId] });
  } finally {
    await server.stop();
  }
});
