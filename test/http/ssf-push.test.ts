import { decodeJwt } from 'jose';
import { createAccount } from '../support/roster';
import { PushEndpoint, type Json, type ReceivedSet, type SsfReceiver } from '../support/ssf-receiver';
import { about, caep, disabled, startSsfRig, verification, type SsfRig } from '../support/ssf-rig';

/**
 * Push delivery (RFC 8935) through the delivery loop: each SET POSTed to the receiver's endpoint as
 * application/secevent+jwt with its authorization header, verified there against the JWKS; a
 * failed push is retried with the same jti; paused holds, disabled drops; accounts stay apart.
 */
let ssf: SsfRig;
let receiver: SsfReceiver;
let endpoint: PushEndpoint;

beforeAll(async () => {
  ssf = await startSsfRig({
    OUTBOUND_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '200',
    DELIVERY_POLL_MS: '100',
  });
  ssf.rig.roster.delivery.start();
  receiver = await ssf.receiverFor(ssf.rig.account);
  endpoint = await PushEndpoint.start();
});
afterAll(async () => {
  await ssf.rig.roster.delivery.stop();
  await ssf.rig.stop();
  await endpoint.stop();
});

/** A push stream to its own path on the endpoint, so tests do not see each other's SETs. */
async function pushStream(body: Json = {}) {
  const path = `${endpoint.url}/${Math.random().toString(36).slice(2)}`;
  const stream = await receiver.createStream({
    delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: path, authorization_header: 'Bearer rcv-secret' },
    ...body,
  });
  const received = async (count: number, ms = 5_000): Promise<ReceivedSet[]> => {
    const until = Date.now() + ms;
    const mine = () => endpoint.requests.filter((r) => r.path === new URL(path).pathname);
    while (mine().filter((r) => r.status === 202).length < count && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const accepted = mine().filter((r) => r.status === 202);
    if (accepted.length < count) throw new Error(`${accepted.length} of ${count} SETs arrived`);
    const sets: ReceivedSet[] = [];
    for (const r of accepted) {
      expect(r.contentType).toBe('application/secevent+jwt');
      expect(r.authorization).toBe('Bearer rcv-secret');
      const set = await receiver.accept(r.body, [stream.aud].flat()[0]);
      if (set) sets.push(set);
    }
    return sets;
  };
  const requests = () => endpoint.requests.filter((r) => r.path === new URL(path).pathname);
  return { stream, received, requests, path: new URL(path).pathname };
}

test('deprovisioning a signed-in user pushes account-disabled and session-revoked, each verified', async () => {
  const { received } = await pushStream();
  const person = await ssf.aPerson({ signedIn: true });
  await person.setActive(false);
  const sets = about(await received(2), person.id);
  expect(sets.map((s) => s.type).sort()).toEqual([disabled, caep].sort());
  expect(sets.find((s) => s.type === disabled)?.payload.sub_id).toMatchObject({
    user: { format: 'opaque', id: person.id },
    tenant: { format: 'opaque', id: ssf.rig.account.accountId },
  });
});

test('a push the receiver fails is retried with the same jti until it is accepted', async () => {
  const { received, requests, path } = await pushStream({ events_requested: [disabled] });
  endpoint.failNext(path, 2);
  const person = await ssf.aPerson();
  await person.setActive(false);
  const [set] = await received(1);
  expect(set.type).toBe(disabled);
  const attempts = requests();
  expect(attempts.map((r) => r.status)).toEqual([500, 500, 202]);
  expect(new Set(attempts.map((r) => decodeJwt(r.body).jti)).size).toBe(1);
});

test('a paused push stream holds its SETs until enabled; a disabled one drops them', async () => {
  const { stream, received, requests } = await pushStream({ events_requested: [disabled] });
  const status = (value: string) =>
    receiver.call('POST', receiver.metadata.status_endpoint, { stream_id: stream.stream_id, status: value });
  await status('paused');
  const held = await ssf.aPerson();
  await held.setActive(false);
  await new Promise((r) => setTimeout(r, 700));
  expect(requests()).toEqual([]);
  await status('enabled');
  expect(about(await received(1), held.id).map((s) => s.type)).toEqual([disabled]);

  await status('disabled');
  const dropped = await ssf.aPerson();
  await dropped.setActive(false);
  await new Promise((r) => setTimeout(r, 300));
  await status('enabled');
  const later = await ssf.aPerson();
  await later.setActive(false);
  const sets = await received(2);
  expect(about(sets, dropped.id)).toEqual([]);
  expect(about(sets, later.id).map((s) => s.type)).toEqual([disabled]);
});

test('a verification event is pushed with the state the receiver sent', async () => {
  const { stream, received } = await pushStream({ events_requested: [caep] });
  const res = await receiver.call('POST', receiver.metadata.verification_endpoint, {
    stream_id: stream.stream_id,
    state: 'push-state-1',
  });
  expect(res.status).toBe(204);
  const [set] = await received(1);
  expect(set.type).toBe(verification);
  expect(set.event).toEqual({ state: 'push-state-1' });
  expect(set.payload.sub_id).toEqual({ format: 'opaque', id: stream.stream_id });
});

test("another account's push stream gets none of this account's SETs", async () => {
  const other = await createAccount(ssf.rig.roster);
  const otherReceiver = await ssf.receiverFor(other);
  const path = `${endpoint.url}/other-${Date.now()}`;
  await otherReceiver.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: path } });
  const { received } = await pushStream({ events_requested: [disabled] });
  const person = await ssf.aPerson();
  await person.setActive(false);
  expect(about(await received(1), person.id)).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(endpoint.requests.filter((r) => r.path === new URL(path).pathname)).toEqual([]);
});
