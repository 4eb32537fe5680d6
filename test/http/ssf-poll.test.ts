import { createAccount } from '../support/roster';
import type { Json, ReceivedSet, SsfReceiver } from '../support/ssf-receiver';
import { about, caep, disabled, enabled, purged, startSsfRig, type SsfRig } from '../support/ssf-rig';

/**
 * Poll delivery (RFC 8936) end to end: a change over SCIM becomes signed SETs on the account's
 * streams, which a receiver verifies against the published JWKS (signature, typ, issuer,
 * audience) and processes once per jti; SETs stay until acknowledged; paused holds, disabled drops.
 */
let ssf: SsfRig;
let receiver: SsfReceiver;

beforeAll(async () => {
  ssf = await startSsfRig({ SSF_LONG_POLL_SECONDS: '5' });
  receiver = await ssf.receiverFor(ssf.rig.account);
});
afterAll(() => ssf.rig.stop());

const aPerson = (options?: Parameters<SsfRig['aPerson']>[0]) => ssf.aPerson(options);

/** Polls until nothing more is waiting, acknowledging each batch; returns what arrived. */
async function drain(r: SsfReceiver, stream: Json): Promise<ReceivedSet[]> {
  const all: ReceivedSet[] = [];
  let ack: string[] = [];
  for (;;) {
    const res = await r.poll(stream, { returnImmediately: true, ack });
    expect(res.status).toBe(200);
    all.push(...res.sets);
    ack = res.jtis;
    if (res.jtis.length === 0) return all;
  }
}

test('deprovisioning a signed-in user over SCIM: account-disabled and session-revoked, signed, one per jti', async () => {
  const stream = await receiver.createStream({ aud: 'https://product.example/ssf' });
  const caepOnly = await receiver.createStream({ events_requested: [caep] });
  const person = await aPerson({ signedIn: true });
  await person.setActive(false);

  const sets = about(await drain(receiver, stream), person.id);
  expect(sets.map((s) => s.type).sort()).toEqual([disabled, caep].sort());
  const disabling = sets.find((s) => s.type === disabled)!;
  expect(disabling.payload).toMatchObject({
    iss: ssf.rig.url,
    aud: 'https://product.example/ssf',
    sub_id: {
      format: 'complex',
      user: { format: 'opaque', id: person.id },
      tenant: { format: 'opaque', id: ssf.rig.account.accountId },
    },
  });
  const revoked = sets.find((s) => s.type === caep)!;
  expect(revoked.payload.sub_id).toMatchObject({
    user: { format: 'opaque', id: person.id },
    session: { format: 'opaque', id: expect.any(String) },
  });
  expect(revoked.event).toMatchObject({
    initiating_entity: 'admin',
    reason_admin: { en: 'The user was deactivated' },
    event_timestamp: expect.any(Number),
  });
  // Both came from the one deprovisioning; each SET has its own jti.
  expect(new Set(sets.map((s) => s.jti)).size).toBe(2);

  // A stream that takes only CAEP hears of the deactivation itself as a revocation too.
  const caepSets = about(await drain(receiver, caepOnly), person.id);
  expect(caepSets.length).toBeGreaterThanOrEqual(1);
  expect(caepSets.every((s) => s.type === caep)).toBe(true);
  expect(caepSets.some((s) => (s.payload.sub_id as Json).session === undefined)).toBe(true);
  expect(receiver.duplicates).toBe(0);
});

test('reactivation is account-enabled and deletion account-purged; email format names the user by address', async () => {
  const stream = await receiver.createStream({ events_requested: [enabled, purged], format: 'email' });
  const person = await aPerson();
  await person.setActive(false);
  await person.setActive(true);
  await person.scim.delete(`/Users/${person.id}`).expect(204);
  const sets = await drain(receiver, stream);
  expect(sets.map((s) => s.type)).toEqual([enabled, purged]);
  for (const set of sets) {
    expect(set.payload.sub_id).toEqual({
      format: 'complex',
      user: { format: 'email', email: person.userName },
      tenant: { format: 'opaque', id: ssf.rig.account.accountId },
    });
  }
});

test('a SET stays until acknowledged: polled again it comes back with the same jti; maxEvents pages', async () => {
  const stream = await receiver.createStream({ events_requested: [disabled] });
  const a = await aPerson();
  const b = await aPerson();
  await a.setActive(false);
  await b.setActive(false);
  const first = await receiver.poll(stream, { returnImmediately: true, maxEvents: 1 });
  expect(first.jtis).toHaveLength(1);
  expect(first.moreAvailable).toBe(true);
  const again = await receiver.poll(stream, { returnImmediately: true, maxEvents: 1 });
  expect(again.jtis).toEqual(first.jtis);
  expect(again.sets).toEqual([]); // the receiver had processed it: a duplicate, by jti
  const next = await receiver.poll(stream, { returnImmediately: true, ack: first.jtis, maxEvents: 10 });
  expect(next.jtis).toHaveLength(1);
  expect(next.jtis).not.toEqual(first.jtis);
  expect(next.moreAvailable).toBe(false);
  const last = await receiver.poll(stream, { returnImmediately: true, ack: next.jtis });
  expect(last.jtis).toEqual([]);
  expect([...about(first.sets, a.id), ...about(next.sets, b.id)]).toHaveLength(2);
});

test('a paused stream holds SETs until enabled; a disabled one drops what happens meanwhile', async () => {
  const stream = await receiver.createStream({ events_requested: [disabled] });
  const status = (value: string) =>
    receiver.call('POST', receiver.metadata.status_endpoint, { stream_id: stream.stream_id, status: value });
  expect((await status('paused')).status).toBe(200);
  const held = await aPerson();
  await held.setActive(false);
  expect((await receiver.poll(stream)).jtis).toEqual([]);
  await status('enabled');
  expect(about(await drain(receiver, stream), held.id).map((s) => s.type)).toEqual([disabled]);

  await status('disabled');
  const dropped = await aPerson();
  await dropped.setActive(false);
  await status('enabled');
  const later = await aPerson();
  await later.setActive(false);
  const sets = await drain(receiver, stream);
  expect(about(sets, dropped.id)).toEqual([]);
  expect(about(sets, later.id).map((s) => s.type)).toEqual([disabled]);
});

test('a long poll answers as soon as a SET is due', async () => {
  const stream = await receiver.createStream({ events_requested: [disabled] });
  const person = await aPerson();
  const started = Date.now();
  const polling = receiver.poll(stream, {});
  await new Promise((r) => setTimeout(r, 600));
  await person.setActive(false);
  const res = await polling;
  expect(about(res.sets, person.id).map((s) => s.type)).toEqual([disabled]);
  expect(Date.now() - started).toBeLessThan(4_000);
  const empty = Date.now();
  expect((await receiver.poll(stream, { ack: res.jtis, maxEvents: 0 })).jtis).toEqual([]);
  expect(Date.now() - empty).toBeLessThan(1_000);
});

test("one account's changes never reach another account's streams", async () => {
  const other = await createAccount(ssf.rig.roster);
  const otherReceiver = await ssf.receiverFor(other);
  const otherStream = await otherReceiver.createStream({});
  const mine = await receiver.createStream({});
  const person = await aPerson();
  await person.setActive(false);
  expect(about(await drain(receiver, mine), person.id)).toHaveLength(1);
  expect(await drain(otherReceiver, otherStream)).toEqual([]);
  // Its own leaver reaches it, addressed to its own tenant.
  const theirs = await aPerson({ account: other });
  await theirs.setActive(false);
  const sets = await drain(otherReceiver, otherStream);
  expect(sets.map((s) => (s.payload.sub_id as Json).tenant.id)).toEqual([other.accountId]);
});

test('SETs the receiver refuses (setErrs) are not sent again, and the audit log says why', async () => {
  const stream = await receiver.createStream({ events_requested: [disabled] });
  const person = await aPerson();
  await person.setActive(false);
  const { jtis } = await receiver.poll(stream);
  expect(jtis).toHaveLength(1);
  const res = await receiver.poll(stream, {
    returnImmediately: true,
    setErrs: { [jtis[0]]: { err: 'invalid_key', description: 'unknown kid' } },
  });
  expect(res.jtis).toEqual([]);
  const audit = await ssf.rig.roster.services.audit.list(ssf.rig.account.operator, {
    subjectId: stream.stream_id,
  });
  expect(audit.events.find((e) => e.action === 'ssf.sets_refused')?.after).toMatchObject({
    count: 1,
    sets: [{ jti: jtis[0], err: 'invalid_key', description: 'unknown kid' }],
  });
});

test('a push stream cannot be polled', async () => {
  const stream = await receiver.createStream({
    delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://product.example/ssf' },
  });
  const res = await receiver.call('POST', `${ssf.rig.url}/api/v1/ssf/poll/${stream.stream_id}`, {
    returnImmediately: true,
  });
  expect({ status: res.status, code: res.body.error.code }).toEqual({
    status: 400,
    code: 'ssf.stream_pushes',
  });
});
