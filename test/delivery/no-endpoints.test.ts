import { randomUUID } from 'node:crypto';
import { DeliveryEngine, type Sender } from '../../src/domain/delivery/delivery-engine';
import type { EventFeed, FeedQuery } from '../../src/domain/events/event-ports';
import { WebhookTransport } from '../../src/adapters/outbound/webhook-transport';
import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';
import { deliveryEnv } from './delivery-env';

/**
 * Fan-out when no endpoint exists: a server started after a bulk change (an HR import, a mapping
 * over 100,000 members) must not read and parse every event only to queue nothing.
 */

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster(deliveryEnv);
});
afterAll(() => roster.stop());

/** The roster's feed, counting the events each fan-out reads. */
function countingFeed(): EventFeed & { read: number } {
  const feed = {
    read: 0,
    after: async (q: FeedQuery) => {
      const events = await roster.events.after(q);
      feed.read += events.length;
      return events;
    },
    latestPosition: () => roster.events.latestPosition(),
  };
  return feed;
}

function engine(feed: EventFeed, sent: unknown[]): DeliveryEngine {
  const send: Sender = async (request) => {
    sent.push(request);
    return { status: 204, body: '' };
  };
  const secrets = { seal: (s: string) => s, open: (s: string) => s };
  const transport = new WebhookTransport(roster.uow, secrets as never, roster.clock);
  const ids = { newId: () => randomUUID() };
  return new DeliveryEngine(roster.uow, roster.clock, ids as never, feed, [transport], send, {
    retry: { baseMs: 50, maxMs: 300, maxAgeMs: 60_000, disableAfterMs: 60_000 },
    leaseMs: 30_000,
    fanOutBatch: 10,
  });
}

test('with no endpoint, fan-out moves past the events without reading them; a new endpoint gets what follows', async () => {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  for (let i = 0; i < 30; i++) await scim.post('/Users', aUser(`before-${i}@example.test`)).expect(201);

  const feed = countingFeed();
  const sent: unknown[] = [];
  const engineOf = engine(feed, sent);
  expect(await engineOf.fanOut()).toBeGreaterThan(0);
  expect(await engineOf.fanOut()).toBe(0);
  expect(feed.read).toBe(0);

  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  await apiClient(roster, serviceKey)
    .post('/webhooks', { url: 'http://127.0.0.1:9/hook', eventTypes: ['user.created'] })
    .expect(201);
  await scim.post('/Users', aUser('after@example.test')).expect(201);
  while ((await engineOf.fanOut()) > 0) {
    // until the feed is covered
  }
  const { deliveries } = await engineOf.claim(100);
  expect(deliveries.map((d) => d.event.data.userName)).toEqual(['after@example.test']);
  expect(feed.read).toBeGreaterThan(0);
});
