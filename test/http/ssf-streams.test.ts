import { apiClient, aUser, createAccount, scimClient, startRoster } from '../support/roster';
import { startHandOffRoster, type HandOffRig } from '../support/oidc-flow';
import { SsfReceiver, type Json } from '../support/ssf-receiver';

/**
 * The Shared Signals transmitter's discovery and stream management (SSF §7, §8.1) as a product
 * uses them: over HTTP, with its account's service key; one account never sees another's streams.
 */
let rig: HandOffRig;
let receiver: SsfReceiver;

const caep = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const disabled = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
const enabled = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
const purged = 'https://schemas.openid.net/secevent/risc/event-type/account-purged';
const push = 'urn:ietf:rfc:8935';
const poll = 'urn:ietf:rfc:8936';

beforeAll(async () => {
  rig = await startHandOffRoster();
  const serviceKey = (await rig.roster.services.apiKeys.issueService(rig.account.operator)).secret;
  receiver = await SsfReceiver.discover(rig.url, serviceKey);
});
afterAll(() => rig.stop());

const stream = (id: string) =>
  `${receiver.metadata.configuration_endpoint}?stream_id=${encodeURIComponent(id)}`;

test('the transmitter metadata names its endpoints, both delivery methods and the OpenID Provider JWKS', async () => {
  const res = await fetch(`${rig.url}/.well-known/ssf-configuration`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({
    spec_version: '1_0',
    issuer: rig.url,
    jwks_uri: `${rig.url}/oidc/jwks`,
    delivery_methods_supported: [push, poll],
    configuration_endpoint: `${rig.url}/api/v1/ssf/stream`,
    status_endpoint: `${rig.url}/api/v1/ssf/status`,
    verification_endpoint: `${rig.url}/api/v1/ssf/verify`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
    default_subjects: 'ALL',
  });
  const jwks = (await (await fetch(`${rig.url}/oidc/jwks`)).json()) as { keys: Json[] };
  const current = (await rig.roster.services.signingKeys!.list()).filter((k) => k.retired === null);
  expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(current.map((k) => k.kid)));
  expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
});

test('a stream is created for poll by default, read back alone or in the list, and never cached', async () => {
  const created = await receiver.createStream({ description: 'Product A' });
  expect(created).toEqual({
    stream_id: expect.any(String),
    iss: rig.url,
    aud: rig.account.accountId,
    events_supported: [disabled, enabled, purged, caep],
    events_requested: [disabled, enabled, purged, caep],
    events_delivered: [disabled, enabled, purged, caep],
    delivery: { method: poll, endpoint_url: `${rig.url}/api/v1/ssf/poll/${created.stream_id}` },
    min_verification_interval: 10,
    description: 'Product A',
    format: 'opaque',
  });
  const one = await receiver.call('GET', stream(created.stream_id));
  expect(one.status).toBe(200);
  expect(one.headers.get('cache-control')).toBe('no-store');
  expect(one.body).toEqual(created);
  const all = await receiver.call('GET', receiver.metadata.configuration_endpoint);
  expect(all.body).toEqual(expect.arrayContaining([created]));
});

test("a push stream keeps the receiver's authorization header sealed and never shows it", async () => {
  const secret = 'Bearer receiver-secret-4711';
  const created = await receiver.createStream({
    delivery: { method: push, endpoint_url: 'https://receiver.example/ssf', authorization_header: secret },
    events_requested: [caep],
    aud: ['https://receiver.example/web', 'https://receiver.example/mobile'],
  });
  expect(created.delivery).toEqual({ method: push, endpoint_url: 'https://receiver.example/ssf' });
  expect(created.aud).toEqual(['https://receiver.example/web', 'https://receiver.example/mobile']);
  expect(created.events_delivered).toEqual([caep]);
  const [row] = await rig.roster.dataSource.query(
    'SELECT authorization_sealed FROM ssf_streams WHERE id = ?',
    [created.stream_id],
  );
  expect(row.authorization_sealed).toMatch(/^v1\./);
  expect(row.authorization_sealed).not.toContain('receiver-secret');
  const audit = await rig.roster.services.audit.list(rig.account.operator, { subjectId: created.stream_id });
  expect(JSON.stringify(audit.events)).not.toContain('receiver-secret');
  expect(audit.events.map((e) => e.action)).toEqual(['ssf.stream_created']);
});

test('PATCH changes what it names; PUT replaces every receiver setting; transmitter values must match', async () => {
  const created = await receiver.createStream({ description: 'Keep me', events_requested: [disabled] });
  const patched = await receiver.call('PATCH', receiver.metadata.configuration_endpoint, {
    stream_id: created.stream_id,
    events_requested: [caep, 'urn:example:unknown'],
    iss: rig.url,
  });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({
    events_requested: [caep, 'urn:example:unknown'],
    events_delivered: [caep],
    description: 'Keep me',
  });
  const wrong = await receiver.call('PATCH', receiver.metadata.configuration_endpoint, {
    stream_id: created.stream_id,
    description: 'Changed',
    iss: 'https://someone-else.example',
  });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.code).toBe('ssf.transmitter_property');
  expect((await receiver.call('GET', stream(created.stream_id))).body.description).toBe('Keep me');
  const replaced = await receiver.call('PUT', receiver.metadata.configuration_endpoint, {
    stream_id: created.stream_id,
    events_requested: [enabled],
    format: 'email',
  });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ events_delivered: [enabled], format: 'email' });
  expect(replaced.body.description).toBeUndefined();
  expect(replaced.body.delivery.method).toBe(poll);
});

test('a stream keeps its delivery method: switching a poll stream to push is a 400 that changes nothing', async () => {
  const created = await receiver.createStream({});
  const res = await receiver.call('PATCH', receiver.metadata.configuration_endpoint, {
    stream_id: created.stream_id,
    delivery: { method: push, endpoint_url: 'https://receiver.example/ssf' },
  });
  expect({ status: res.status, code: res.body.error.code }).toEqual({
    status: 400,
    code: 'ssf.delivery_method_fixed',
  });
  expect((await receiver.call('GET', stream(created.stream_id))).body).toEqual(created);
});

test('a stream is deleted once; afterwards it is not found', async () => {
  const created = await receiver.createStream({});
  expect((await receiver.call('DELETE', stream(created.stream_id))).status).toBe(204);
  expect((await receiver.call('GET', stream(created.stream_id))).status).toBe(404);
  expect((await receiver.call('DELETE', stream(created.stream_id))).status).toBe(404);
});

test('the status is read and set with a reason; a status SSF does not define is a 400', async () => {
  const created = await receiver.createStream({});
  const status = receiver.metadata.status_endpoint;
  expect((await receiver.call('GET', `${status}?stream_id=${created.stream_id}`)).body).toEqual({
    stream_id: created.stream_id,
    status: 'enabled',
  });
  const paused = await receiver.call('POST', status, {
    stream_id: created.stream_id,
    status: 'paused',
    reason: 'maintenance',
  });
  expect(paused.body).toEqual({ stream_id: created.stream_id, status: 'paused', reason: 'maintenance' });
  expect((await receiver.call('GET', `${status}?stream_id=${created.stream_id}`)).body.status).toBe('paused');
  const bad = await receiver.call('POST', status, { stream_id: created.stream_id, status: 'sleeping' });
  expect(bad.status).toBe(400);
  expect((await receiver.call('GET', `${status}?stream_id=${created.stream_id}`)).body.status).toBe('paused');
});

test('a verification event carries the state back on the stream itself; asking again at once is a 429', async () => {
  const created = await receiver.createStream({ events_requested: [caep] });
  const verify = receiver.metadata.verification_endpoint;
  expect((await receiver.call('POST', verify, { stream_id: created.stream_id, state: 'xyz-1' })).status).toBe(
    204,
  );
  const again = await receiver.call('POST', verify, { stream_id: created.stream_id, state: 'xyz-2' });
  expect(again.status).toBe(429);
  expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  const polled = await receiver.poll(created);
  expect(polled.sets).toHaveLength(1);
  expect(polled.sets[0].type).toBe('https://schemas.openid.net/secevent/ssf/event-type/verification');
  expect(polled.sets[0].event).toEqual({ state: 'xyz-1' });
  expect(polled.sets[0].payload.sub_id).toEqual({ format: 'opaque', id: created.stream_id });
});

test.each([
  [{ delivery: { method: push } }, 'ssf.push_url_missing'],
  [{ delivery: { method: push, endpoint_url: 'ftp://receiver.example/x' } }, 'ssf.push_url_invalid'],
  [
    { delivery: { method: push, endpoint_url: 'https://user:pw@receiver.example/x' } },
    'ssf.push_url_invalid',
  ],
  [{ delivery: { method: push, endpoint_url: 'http://127.0.0.1:9/ssf' } }, 'ssf.push_url_invalid'],
  [{ delivery: { method: 'urn:example:smoke-signals' } }, 'ssf.delivery_method_unsupported'],
  [
    { delivery: { method: poll, endpoint_url: 'https://receiver.example/x' } },
    'ssf.poll_url_is_transmitters',
  ],
  [{ events_requested: 'all' }, 'request.invalid'],
  [{ surprise: true }, 'request.invalid'],
])('a stream asked for with %j is a 400 %s, and none is created', async (body, code) => {
  const before = (await receiver.call('GET', receiver.metadata.configuration_endpoint)).body.length;
  const res = await receiver.call('POST', receiver.metadata.configuration_endpoint, body);
  expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code });
  expect((await receiver.call('GET', receiver.metadata.configuration_endpoint)).body).toHaveLength(before);
});

test("another account's service key finds none of this account's streams, and changes nothing", async () => {
  const mine = await receiver.createStream({ description: 'Mine' });
  const other = await createAccount(rig.roster);
  const otherKey = (await rig.roster.services.apiKeys.issueService(other.operator)).secret;
  const intruder = await SsfReceiver.discover(rig.url, otherKey);
  const {
    configuration_endpoint: config,
    status_endpoint: status,
    verification_endpoint: verify,
  } = receiver.metadata;
  expect((await intruder.call('GET', config)).body).toEqual([]);
  const attempts = [
    await intruder.call('GET', stream(mine.stream_id)),
    await intruder.call('PATCH', config, { stream_id: mine.stream_id, description: 'Taken' }),
    await intruder.call('PUT', config, { stream_id: mine.stream_id }),
    await intruder.call('GET', `${status}?stream_id=${mine.stream_id}`),
    await intruder.call('POST', status, { stream_id: mine.stream_id, status: 'disabled' }),
    await intruder.call('POST', verify, { stream_id: mine.stream_id }),
    await intruder.call('POST', mine.delivery.endpoint_url, { returnImmediately: true }),
    await intruder.call('DELETE', stream(mine.stream_id)),
  ];
  expect(attempts.map((r) => r.status)).toEqual(new Array(attempts.length).fill(404));
  const after = await receiver.call('GET', stream(mine.stream_id));
  expect(after.body).toEqual(mine);
  expect((await receiver.call('GET', `${status}?stream_id=${mine.stream_id}`)).body.status).toBe('enabled');
});

test('a member key without scim.manage_tokens is refused; an Admin manages streams with theirs', async () => {
  const { operator } = rig.account;
  const scim = scimClient(rig.roster, rig.account.token);
  const key = async (userName: string, role: string) => {
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await rig.roster.services.roles.assign(operator, id, role);
    return apiClient(
      rig.roster,
      (await rig.roster.services.apiKeys.issueForMember(operator, userName)).secret,
    );
  };
  const analyst = await key('ssf-analyst@example.test', 'analyst');
  const refused = await analyst.post('/ssf/stream', {});
  expect({ status: refused.status, code: refused.body.error.code }).toEqual({
    status: 403,
    code: 'access.denied',
  });
  expect((await analyst.get('/ssf/stream')).status).toBe(403);
  const admin = await key('ssf-admin@example.test', 'admin');
  expect((await admin.post('/ssf/stream', { description: 'by an Admin' })).status).toBe(201);
});

test('without OIDC_KEY_ENCRYPTION_KEY there is nothing to sign with: no metadata, and streams are refused', async () => {
  const plain = await startRoster();
  try {
    const account = await createAccount(plain);
    const key = (await plain.services.apiKeys.issueService(account.operator)).secret;
    const request = (await import('supertest')).default;
    expect((await request(plain.app).get('/.well-known/ssf-configuration')).status).toBe(404);
    const res = await apiClient(plain, key).post('/ssf/stream', {});
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 412, code: 'ssf.off' });
  } finally {
    await plain.stop();
  }
});
