import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Webhooks end to end: endpoints managed over /api/v1 with the service key, events from real SCIM
 * changes, delivered by the running delivery loop to a real receiver that verifies each one with
 * standardwebhooks' Webhook.verify.
 */
export const deliveryEnv = {
  OUTBOUND_ALLOW_PRIVATE: 'true',
  EVENTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  DELIVERY_POLL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '300',
  WEBHOOK_TIMEOUT_MS: '2000',
};

let roster: TestRoster;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  roster = await startRoster(deliveryEnv);
  roster.delivery.start();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await roster.stop();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

interface Rig {
  account: TestAccount;
  serviceKey: string;
  api: ReturnType<typeof apiClient>;
  scim: ReturnType<typeof scimClient>;
}

async function rig(): Promise<Rig> {
  const account = await createAccount(roster);
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  return { account, serviceKey, api: apiClient(roster, serviceKey), scim: scimClient(roster, account.token) };
}

async function endpoint(r: Rig, to: WebhookReceiver, body: object = {}) {
  const res = await r.api.post('/webhooks', { url: to.url, ...body }).expect(201);
  to.secrets.push(res.body.secret as string);
  return res.body.webhook as { id: string };
}

async function user(r: Rig, name: string): Promise<string> {
  const res = await r.scim.post('/Users', aUser(`${name}-${Date.now()}@example.test`)).expect(201);
  return res.body.id as string;
}

test('a change arrives signed as Standard Webhooks specifies; the secret is shown once, never listed', async () => {
  const r = await rig();
  const to = await receiver();
  const created = await r.api.post('/webhooks', { url: to.url, eventTypes: ['user.created'] }).expect(201);
  expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  to.secrets.push(created.body.secret);
  const id = await user(r, 'signed');
  await to.waitFor(() => to.received.length === 1);
  const [got] = to.received;
  expect(got.type).toBe('user.created');
  expect(got.event).toMatchObject({ type: 'user.created', accountId: r.account.accountId, subject: { id } });
  expect(got.webhookId).toBe(got.event.id);
  expect(Math.abs(got.timestamp - Date.now() / 1000)).toBeLessThan(30);
  const listed = await r.api.get('/webhooks').expect(200);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
  expect(listed.body.webhooks).toEqual([
    expect.objectContaining({ id: created.body.webhook.id, enabled: true }),
  ]);
  // A receiver holding another secret refuses it: the signature is real.
  const other = await receiver();
  other.secrets.push(`whsec_${randomBytes(32).toString('base64')}`);
  await r.api.put(`/webhooks/${created.body.webhook.id}`, { url: other.url }).expect(200);
  await user(r, 'unsigned');
  await other.waitFor(() => other.refused.length >= 1);
  expect(other.refused[0].reason).toMatch(/signature/i);
});

test('a rotated secret signs beside the new one during the overlap, so either verifies', async () => {
  const r = await rig();
  const to = await receiver();
  const hook = await endpoint(r, to, { eventTypes: ['user.created'] });
  const oldSecret = to.secrets[0];
  const rotated = await r.api
    .post(`/webhooks/${hook.id}/rotate-secret`, { overlapSeconds: 3600 })
    .expect(200);
  expect(rotated.body.webhook.secrets).toHaveLength(2);
  // The receiver that never learnt the new secret still verifies, and one with only the new one too.
  to.secrets = [oldSecret];
  const fresh = await receiver();
  fresh.secrets = [rotated.body.secret];
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // the loop reads secrets again within a second
  await user(r, 'rotated');
  await to.waitFor(() => to.received.length === 1);
  expect(to.received[0].signatures).toHaveLength(2);
  await r.api.put(`/webhooks/${hook.id}`, { url: fresh.url }).expect(200);
  await user(r, 'rotated-2');
  await fresh.waitFor(() => fresh.received.length === 1);
  // With no overlap the old secret stops at once.
  await r.api.post(`/webhooks/${hook.id}/rotate-secret`, { overlapSeconds: 0 }).expect(200);
  const after = await r.api.get(`/webhooks/${hook.id}`).expect(200);
  expect(after.body.secrets).toHaveLength(1);
});

test('events of one subject arrive in order, even when the receiver fails some first attempts', async () => {
  const r = await rig();
  const to = await receiver();
  // Every third event fails its first two attempts.
  to.respond = (event, attempt) => (event.seq % 3 === 0 && attempt <= 2 ? 500 : 204);
  await endpoint(r, to);
  const ids = await Promise.all([user(r, 'order-a'), user(r, 'order-b'), user(r, 'order-c')]);
  for (let i = 0; i < 6; i++) {
    for (const id of ids) {
      await r.scim
        .patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: `Name ${i}` }))
        .expect(200);
    }
  }
  const expected = 3 + 18;
  await to.waitFor(() => to.received.length >= expected, 20_000);
  for (const id of ids) {
    const seqs = to.received.filter((x) => x.event.subject.id === id).map((x) => x.event.seq);
    expect(seqs).toHaveLength(7);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }
});

test('a 500 is retried with growing waits until accepted; the delivery log shows each attempt', async () => {
  const r = await rig();
  const to = await receiver();
  const tries: number[] = [];
  to.respond = (_event, attempt) => {
    tries.push(Date.now());
    return attempt <= 3 ? 500 : 204;
  };
  const hook = await endpoint(r, to, { eventTypes: ['user.created'] });
  await user(r, 'retried');
  await to.waitFor(() => to.received.length === 1);
  expect(tries).toHaveLength(4);
  // Backoff: at least half of 50, 100 and 200 ms (WEBHOOK_RETRY_BASE_MS=50, doubling, jitter over the upper half).
  expect(tries[3] - tries[0]).toBeGreaterThanOrEqual(175);
  const log = await r.api.get(`/webhooks/${hook.id}/deliveries`).expect(200);
  expect(log.body.deliveries).toEqual([
    expect.objectContaining({
      status: 'delivered',
      attempts: 4,
      lastStatus: 204,
      webhookId: to.received[0].webhookId,
    }),
  ]);
  const pending = await r.api.get(`/webhooks/${hook.id}/deliveries?status=pending`).expect(200);
  expect(pending.body.deliveries).toEqual([]);
});

test('an endpoint that accepts nothing for WEBHOOK_DISABLE_AFTER_SECONDS is disabled, and the account hears of it', async () => {
  const strict = await startRoster({
    ...deliveryEnv,
    WEBHOOK_DISABLE_AFTER_SECONDS: '1',
    WEBHOOK_MAX_AGE_SECONDS: '60',
  });
  strict.delivery.start();
  try {
    const account = await createAccount(strict);
    const key = (await strict.services.apiKeys.issueService(account.operator)).secret;
    const api = apiClient(strict, key);
    const down = await receiver();
    down.respond = () => 503;
    const watcher = await receiver();
    const broken = await api.post('/webhooks', { url: down.url }).expect(201);
    down.secrets.push(broken.body.secret);
    const watching = await api
      .post('/webhooks', { url: watcher.url, eventTypes: ['webhook.disabled'] })
      .expect(201);
    watcher.secrets.push(watching.body.secret);
    await scimClient(strict, account.token).post('/Users', aUser('disable-me@example.test')).expect(201);
    await watcher.waitFor(() => watcher.received.length === 1, 20_000);
    expect(watcher.received[0].event).toMatchObject({
      type: 'webhook.disabled',
      data: expect.objectContaining({ webhookId: broken.body.webhook.id }),
    });
    const after = await api.get(`/webhooks/${broken.body.webhook.id}`).expect(200);
    expect(after.body).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(/No delivery accepted/),
    });
    const log = await api.get(`/webhooks/${broken.body.webhook.id}/deliveries`).expect(200);
    // Its deliveries wait, unsent, until it is enabled again.
    expect(log.body.deliveries[0]).toMatchObject({ status: 'pending', lastStatus: 503 });
    const attempts = log.body.deliveries[0].attempts as number;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const still = await api.get(`/webhooks/${broken.body.webhook.id}/deliveries`).expect(200);
    expect(still.body.deliveries[0].attempts).toBe(attempts);
    // Enabled again, it clears the reason.
    const enabled = await api.put(`/webhooks/${broken.body.webhook.id}`, { enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  } finally {
    await strict.stop();
  }
});

test('a delivery still refused after WEBHOOK_MAX_AGE_SECONDS is marked failed, and the next one goes on', async () => {
  const brief = await startRoster({ ...deliveryEnv, WEBHOOK_MAX_AGE_SECONDS: '1' });
  brief.delivery.start();
  try {
    const account = await createAccount(brief);
    const api = apiClient(brief, (await brief.services.apiKeys.issueService(account.operator)).secret);
    const to = await receiver();
    let refusing = true;
    to.respond = () => (refusing ? 500 : 204);
    const hook = await api
      .post('/webhooks', { url: to.url, eventTypes: ['user.created', 'user.updated'] })
      .expect(201);
    to.secrets.push(hook.body.secret);
    const scim = scimClient(brief, account.token);
    const id = (await scim.post('/Users', aUser('expiring@example.test')).expect(201)).body.id as string;
    const log = async () =>
      (await api.get(`/webhooks/${hook.body.webhook.id}/deliveries`).expect(200)).body.deliveries;
    await waitUntil(async () => (await log())[0]?.status === 'failed');
    expect((await log())[0]).toMatchObject({ eventType: 'user.created', lastStatus: 500 });
    expect((await log())[0].attempts).toBeGreaterThan(2);
    refusing = false;
    await scim
      .patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Next' }))
      .expect(200);
    await to.waitFor(() => to.received.length === 1);
    expect(to.received[0].type).toBe('user.updated');
  } finally {
    await brief.stop();
  }
});

test('replay sends a range again with the same webhook-ids, including events from before the endpoint', async () => {
  const r = await rig();
  const early = await user(r, 'before-endpoint');
  const to = await receiver();
  const hook = await endpoint(r, to, { eventTypes: ['user.created', 'user.deactivated'] });
  const id = await user(r, 'replayed');
  await r.scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
  await to.waitFor(() => to.received.length === 2);
  const positions = to.received.map((x) => x.event.position);
  const firstIds = to.received.map((x) => x.webhookId);
  const all = (await roster.events.after({ accountId: r.account.accountId, after: 0, limit: 100 })).filter(
    (e) => e.subject.id === early,
  );
  const from = Math.min(...all.map((e) => e.position));
  const replay = await r.api
    .post(`/webhooks/${hook.id}/replay`, { from, to: Math.max(...positions) })
    .expect(200);
  expect(replay.body).toEqual({ requeued: 2, queued: 1 });
  await to.waitFor(() => to.received.length === 5);
  const again = to.received.slice(2);
  expect(again.map((x) => x.webhookId)).toEqual(expect.arrayContaining(firstIds));
  expect(again.find((x) => x.event.subject.id === early)?.type).toBe('user.created');
  await r.api.post(`/webhooks/${hook.id}/replay`, { from: 5, to: 2 }).expect(400);
});

test('the outbound guard: a redirect is not followed, a silent receiver times out, a huge answer is cut', async () => {
  const r = await rig();
  const elsewhere = await receiver();
  let elsewhereHits = 0;
  elsewhere.respond = () => {
    elsewhereHits += 1;
    return 204;
  };
  const redirect = createServer((_req, res) => res.writeHead(307, { location: elsewhere.url }).end());
  const silent = createServer(() => undefined);
  const huge = createServer((_req, res) => {
    res.writeHead(200);
    res.end(Buffer.alloc(8 * 1024 * 1024, 'x'));
  });
  const urls: string[] = [];
  for (const server of [redirect, silent, huge]) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
  }
  try {
    const hooks: string[] = [];
    for (const url of urls) {
      hooks.push(
        (await r.api.post('/webhooks', { url, eventTypes: ['user.created'] }).expect(201)).body.webhook.id,
      );
    }
    await user(r, 'guarded');
    const lastOf = async (hookId: string) =>
      (await r.api.get(`/webhooks/${hookId}/deliveries`).expect(200)).body.deliveries[0];
    await waitUntil(async () => (await lastOf(hooks[0]))?.lastStatus === 307);
    await waitUntil(async () => /timeout/.test((await lastOf(hooks[1]))?.lastError ?? ''), 10_000);
    await waitUntil(async () => (await lastOf(hooks[2]))?.status === 'delivered');
    expect(elsewhereHits).toBe(0);
    expect((await lastOf(hooks[0])).status).toBe('pending');
  } finally {
    for (const server of [redirect, silent, huge]) {
      server.closeAllConnections();
      server.close();
    }
  }
});

test('without OUTBOUND_ALLOW_PRIVATE, internal targets are refused when saved and when resolved', async () => {
  const guarded = await startRoster({ ...deliveryEnv, OUTBOUND_ALLOW_PRIVATE: 'false' });
  guarded.delivery.start();
  try {
    const account = await createAccount(guarded);
    const key = (await guarded.services.apiKeys.issueService(account.operator)).secret;
    const api = apiClient(guarded, key);
    const to = await receiver();
    const port = new URL(to.url).port;
    for (const url of [
      to.url,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/',
      'ftp://example.com/',
      'https://user:pw@example.com/',
    ]) {
      const res = await api.post('/webhooks', { url }).expect(400);
      expect(res.body.error.code).toBe('webhook.invalid_url');
    }
    // A name is judged on the address it resolves to, at each attempt.
    const named = await api.post('/webhooks', { url: `http://${hostname()}:${port}/hook` }).expect(201);
    to.secrets.push(named.body.secret);
    await scimClient(guarded, account.token).post('/Users', aUser('private@example.test')).expect(201);
    await waitUntil(async () => {
      const log = await api.get(`/webhooks/${named.body.webhook.id}/deliveries`).expect(200);
      return /refused_address/.test(log.body.deliveries[0]?.lastError ?? '');
    });
    expect(to.statuses).toEqual([]);
  } finally {
    await guarded.stop();
  }
});

test("accounts are isolated: each endpoint gets its own account's events, and another account's key sees none", async () => {
  const a = await rig();
  const b = await rig();
  const toA = await receiver();
  const toB = await receiver();
  const hookA = await endpoint(a, toA, { eventTypes: ['user.created'] });
  await endpoint(b, toB, { eventTypes: ['user.created'] });
  const inA = await user(a, 'iso-a');
  const inB = await user(b, 'iso-b');
  await toA.waitFor(() => toA.received.length === 1);
  await toB.waitFor(() => toB.received.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(toA.received.map((x) => x.event.subject.id)).toEqual([inA]);
  expect(toB.received.map((x) => x.event.subject.id)).toEqual([inB]);
  await b.api.get(`/webhooks/${hookA.id}`).expect(404);
  await b.api.get(`/webhooks/${hookA.id}/deliveries`).expect(404);
  await b.api.put(`/webhooks/${hookA.id}`, { enabled: false }).expect(404);
  await b.api.post(`/webhooks/${hookA.id}/replay`, { from: 1, to: 10 }).expect(404);
  await b.api.delete(`/webhooks/${hookA.id}`).expect(404);
  expect((await b.api.get('/webhooks').expect(200)).body.webhooks).toHaveLength(1);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
