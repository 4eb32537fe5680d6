import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import { freshDatabase, type TestDatabase } from '../support/database';
import { aUser, scimClient } from '../support/roster';
import { WebhookReceiver } from '../support/webhook-receiver';
import { assertBuilt, roster as cli } from './run-cli';

/**
 * `roster webhooks`: the operator manages an account's endpoints and the operator-wide ones
 * (every account's events), with --json for scripts; the running server delivers to them.
 */
let database: TestDatabase;
let env: Record<string, string>;
let server: Roster;
let receiver: WebhookReceiver;
beforeAll(async () => {
  assertBuilt();
  database = await freshDatabase();
  env = {
    DATABASE_URL: database.url,
    PUBLIC_URL: 'https://roster.example.com',
    EVENTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OUTBOUND_ALLOW_PRIVATE: 'true',
    DELIVERY_POLL_MS: '50',
  };
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await server?.close();
  await receiver.stop();
  await database.drop();
});

const json = (args: string[]) => {
  const result = cli([...args, '--json'], env);
  expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: 0, stderr: '' });
  return JSON.parse(result.stdout);
};

test('an operator-wide endpoint made with the CLI gets every account’s events; account endpoints only their own', async () => {
  const acme = json(['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test']);
  const globex = json(['accounts', 'create', '--name', 'Globex', '--owner-email', 'owner@globex.test']);
  const wide = json([
    'webhooks',
    'create',
    '--all-accounts',
    '--url',
    receiver.url,
    '--events',
    'user.created',
  ]);
  expect(wide.secret).toMatch(/^whsec_/);
  expect(wide.webhook).toMatchObject({ url: receiver.url, eventTypes: ['user.created'], enabled: true });
  receiver.secrets.push(wide.secret);
  const own = json([
    'webhooks',
    'create',
    '--account',
    acme.accountId,
    '--url',
    'https://hooks.acme.test/roster',
  ]);
  expect(json(['webhooks', 'list', '--account', acme.accountId])).toEqual([
    expect.objectContaining({ id: own.webhook.id, eventTypes: null }),
  ]);
  expect(json(['webhooks', 'list', '--all-accounts'])).toEqual([
    expect.objectContaining({ id: wide.webhook.id }),
  ]);
  expect(JSON.stringify(json(['webhooks', 'list', '--all-accounts']))).not.toContain(wide.secret);
  // Another account's endpoint is not found through this one.
  const wrong = cli(['webhooks', 'delete', '--account', globex.accountId, '--id', own.webhook.id], env);
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toContain('No webhook endpoint');

  server = await compose(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
  server.delivery.start();
  await scimClient(server, acme.scimToken).post('/Users', aUser('a@acme.test')).expect(201);
  await scimClient(server, globex.scimToken).post('/Users', aUser('g@globex.test')).expect(201);
  await receiver.waitFor(() => receiver.received.length === 2);
  expect(new Set(receiver.received.map((r) => r.event.accountId))).toEqual(
    new Set([acme.accountId, globex.accountId]),
  );
  await server.close();

  const log = json(['webhooks', 'deliveries', '--all-accounts', '--id', wide.webhook.id]);
  expect(log).toHaveLength(2);
  expect(log[0]).toMatchObject({ status: 'delivered', eventType: 'user.created', attempts: 1 });
  expect(
    json(['webhooks', 'deliveries', '--all-accounts', '--id', wide.webhook.id, '--limit', '1']),
  ).toHaveLength(1);
  for (const limit of ['ten', '1.5']) {
    const bad = cli(
      ['webhooks', 'deliveries', '--all-accounts', '--id', wide.webhook.id, '--limit', limit],
      env,
    );
    expect({ limit, status: bad.status }).toEqual({ limit, status: 1 });
    expect(bad.stderr).toContain('limit must be a whole number');
  }
  const disabled = json(['webhooks', 'update', '--all-accounts', '--id', wide.webhook.id, '--disable']);
  expect(disabled.enabled).toBe(false);
  const rotated = json(['webhooks', 'rotate-secret', '--all-accounts', '--id', wide.webhook.id]);
  expect(rotated.webhook.secrets).toHaveLength(2);
  const positions = log.map((d: { position: number }) => d.position);
  expect(
    json([
      'webhooks',
      'replay',
      '--all-accounts',
      '--id',
      wide.webhook.id,
      '--from',
      String(Math.min(...positions)),
      '--to',
      String(Math.max(...positions)),
    ]),
  ).toEqual({ requeued: 2, queued: 0 });
  expect(json(['webhooks', 'delete', '--all-accounts', '--id', wide.webhook.id])).toEqual({
    deleted: wide.webhook.id,
  });
  const neither = cli(['webhooks', 'list'], env);
  expect(neither.status).not.toBe(0);
  expect(neither.stderr).toContain('--account <id> or --all-accounts');
});
