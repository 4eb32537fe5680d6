import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import {
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveryEnv } from './delivery-env';

/**
 * Two server instances on one database, both running the delivery loop, as in production: every
 * event arrives, and no delivery is ever being sent by both at the same time (database leases).
 */
let first: TestRoster;
let second: Roster;
let receiver: WebhookReceiver;
beforeAll(async () => {
  first = await startRoster(deliveryEnv);
  second = await compose(
    loadConfig({
      DATABASE_URL: first.database.url,
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
      SCIM_DEACTIVATION_BRAKE_SHARE: '1',
      RATE_LIMIT_AUTH_FAILURES: '0',
      RATE_LIMIT_REQUESTS_PER_TOKEN: '0',
      ...deliveryEnv,
    }),
    { logger: createLogger('silent') },
  );
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await second.close();
  await first.stop();
});

test('two delivery loops on one database never send one delivery at once, and lose none', async () => {
  const account = await createAccount(first);
  const { secret } = await first.services.webhooks.create(account.operator, 'account', {
    url: receiver.url,
    eventTypes: ['user.created'],
  });
  receiver.secrets.push(secret);
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  receiver.respond = async (event, attempt) => {
    const now = (inFlight.get(event.id) ?? 0) + 1;
    inFlight.set(event.id, now);
    if (now > 1) overlaps += 1;
    // Slow answers widen the window in which a second instance could take the same delivery.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    inFlight.set(event.id, (inFlight.get(event.id) ?? 1) - 1);
    return attempt === 1 && event.seq % 4 === 0 ? 500 : 204;
  };
  first.delivery.start();
  second.delivery.start();
  const count = 120;
  const clients = [scimClient(first, account.token), scimClient(second, account.token)];
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      clients[i % 2].post('/Users', aUser(`twice-${i}@example.test`)).expect(201),
    ),
  );
  await receiver.waitFor(() => new Set(receiver.received.map((r) => r.webhookId)).size === count, 30_000);
  expect(overlaps).toBe(0);
  // A healthy receiver gets each event once: a retry only follows a refused attempt.
  expect(receiver.received).toHaveLength(count);
  // The last outcomes are written just after the receiver answered.
  const deadline = Date.now() + 5_000;
  while ((await first.uow.read((tx) => tx.deliveries.pendingCount())) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await first.uow.read((tx) => tx.deliveries.pendingCount())).toBe(0);
});
