import { definitionOf, type Action } from '../../src/domain/access/actions';
import type { Catalogue } from '../../src/domain/access/catalogue';
import { supportNeverAlways } from '../../src/domain/access/support-limits';
import type { UserId } from '../../src/domain/ids';
import { TestIdp } from '../support/test-idp';
import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

/**
 * The OpenAPI document names, for every /api/v1 route, the rule-book action it takes (and so the
 * permission it needs). These tests call every documented route with a key that lacks exactly that
 * permission, with the service key and with a support session, and expect the rule book's answer.
 */
let roster: TestRoster;
let idp: TestIdp;
beforeAll(async () => {
  roster = await startRoster({ EVENTS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
  idp = await TestIdp.start('route-actions');
});
afterAll(() => roster.stop());

type Operation = { 'x-roster-action'?: Action; security?: unknown[] };
type Fixture = Awaited<ReturnType<typeof setUp>>;

/** A valid body for every write, so that only the rule book can refuse it. */
const bodies: Record<string, (f: Fixture) => object> = {
  'put /account/default-role': () => ({ role: 'analyst' }),
  'post /account/ownership-transfer': (f) => ({ to: f.target }),
  'post /account/close': () => ({}),
  'post /children': () => ({ name: 'A child' }),
  'put /members/{userId}/access/{childId}': () => ({ access: true, role: 'analyst' }),
  'post /deprovisioning/approve': () => ({}),
  'put /inactivity': () => ({ days: 30, action: 'deactivate' }),
  'post /invitations': () => ({ email: `invited-${Date.now()}@example.test` }),
  'post /invitations/{invitationId}/resend': () => ({}),
  'post /mappings': () => ({ group: { by: 'displayName', value: 'Some group' }, role: 'analyst' }),
  'put /mappings/{mappingId}': () => ({ role: 'manager' }),
  'put /members/{userId}/role': () => ({ role: 'manager' }),
  'put /members/{userId}/permissions': () => ({ mode: 'role', granted: [], restricted: [] }),
  'put /mfa-policy': () => ({ required: true }),
  'put /members/{userId}/mfa': () => ({ required: true }),
  'put /sso': () => ({ metadataXml: idp.metadataXml() }),
  'put /sso/session-lifetimes': () => ({ idleMinutes: 60, absoluteMinutes: 480 }),
  'post /support-access': () => ({ days: 7 }),
  'post /authorize': (f) => ({ user: f.target, permission: 'users.view' }),
  'post /domains': () => ({ domain: `claimed-${Date.now()}.example` }),
  'post /webhooks': () => ({ url: 'https://hooks.example.com/roster' }),
  'put /webhooks/{webhookId}': () => ({ description: 'Changed' }),
  'post /webhooks/{webhookId}/rotate-secret': () => ({}),
  'post /webhooks/{webhookId}/replay': () => ({ from: 1, to: 2 }),
  'post /ssf/stream': () => ({}),
  'patch /ssf/stream': () => ({ stream_id: 'no-such-stream' }),
  'put /ssf/stream': () => ({ stream_id: 'no-such-stream' }),
  'post /ssf/status': () => ({ stream_id: 'no-such-stream', status: 'paused' }),
  'post /ssf/verify': () => ({ stream_id: 'no-such-stream' }),
  'post /ssf/poll/{streamId}': () => ({ returnImmediately: true }),
};

/** A valid query for routes that need one, so that only the rule book can refuse them. */
const queries: Record<string, string> = {
  'delete /ssf/stream': '?stream_id=no-such-stream',
  'get /ssf/status': '?stream_id=no-such-stream',
};

let counter = 0;

async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const s = roster.services;
  const op = account.operator;
  counter += 1;
  const person = async (name: string) => {
    const userName = `${name}-${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    return { id, userName };
  };
  const targetPerson = await person('target');
  const target = targetPerson.id;
  await s.roles.assign(op, target, 'analyst');
  const keyId = (await s.apiKeys.issueForMember(op, targetPerson.userName)).key.id;
  const probe = await person('probe');
  await s.roles.assign(op, probe.id, 'admin');
  const probeKey = (await s.apiKeys.issueForMember(op, probe.userName)).secret;
  const mapping = (
    await s.mappings.add(op, { matchKind: 'displayName', matchValue: 'Mapped', roleKey: 'manager' })
  ).id;
  const grant = (await s.support.grant(op, { days: 7 })).id;
  const invitation = (await s.invitations.invite(op, { email: `pending-${counter}@example.test` })).invitation
    .id;
  const child = (await s.children.createChild(op, { name: 'Child' })).account.id;
  const supportKey = (await s.support.openSession(op, 'Sam')).secret;
  const serviceKey = (await s.apiKeys.issueService(op)).secret;
  const webhook = (await s.webhooks.create(op, 'account', { url: 'https://hooks.example.com/fixture' }))
    .endpoint.id;
  return {
    webhook,
    account,
    target,
    keyId,
    probe,
    probeKey,
    mapping,
    grant,
    invitation,
    child,
    supportKey,
    serviceKey,
  };
}

function documentedRoutes(document: { paths: Record<string, Record<string, Operation>> }) {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method,
      path,
      action: operation['x-roster-action'],
    })),
  );
}

function call(key: string, method: string, path: string, f: Fixture) {
  const url = path
    .replace('{userId}', f.target)
    .replace('{mappingId}', f.mapping)
    .replace('{grantId}', f.grant)
    .replace('{invitationId}', f.invitation)
    .replace('{childId}', f.child)
    .replace('{domain}', 'unclaimed.example')
    .replace('{keyId}', f.keyId)
    .replace('{webhookId}', f.webhook)
    .replace('{streamId}', 'no-such-stream')
    .concat(queries[`${method} ${path}`] ?? '');
  const client = apiClient(roster, key);
  const body = bodies[`${method} ${path}`]?.(f);
  if (method === 'get') return client.get(url);
  if (method === 'delete') return client.delete(url);
  if (body === undefined) throw new Error(`No sample body for ${method} ${path}: add one to this test`);
  if (method === 'patch') return client.patch(url, body);
  return method === 'post' ? client.post(url, body) : client.put(url, body);
}

/** Every permission that holds `permission` as a prerequisite, and itself: restricting less is refused. */
function withDependents(catalogue: Catalogue, permission: string): string[] {
  return catalogue.permissions
    .map((p) => p.key)
    .filter((p) => p === permission || catalogue.prerequisitesOf(p).has(permission));
}

test('every documented route names its action, but /me (every caller) and the public invitation acceptance', async () => {
  const document = (await apiClient(roster, '').get('/openapi.json').expect(200)).body;
  const routes = documentedRoutes(document);
  expect(routes.length).toBeGreaterThan(30);
  const open = new Set(['/invitations/accept', '/me']);
  for (const route of routes) {
    const expected = open.has(route.path) ? 'undefined' : 'string';
    expect([route.method, route.path, typeof route.action]).toEqual([route.method, route.path, expected]);
  }
});

test('a key that lacks the documented permission gets 403 naming it, on every route', async () => {
  const document = (await apiClient(roster, '').get('/openapi.json').expect(200)).body;
  const f = await setUp();
  const op = f.account.operator;
  const checked: string[] = [];
  for (const route of documentedRoutes(document)) {
    const permission = route.action ? definitionOf(route.action).permission : null;
    if (!permission) continue;
    const restricted = withDependents(roster.catalogue, permission);
    await roster.services.roles.setPermissions(op, f.probe.id as UserId, {
      mode: 'all',
      granted: [],
      restricted,
    });
    const res = await call(f.probeKey, route.method, route.path, f);
    expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
      route: `${route.method} ${route.path}`,
      status: 403,
    });
    expect(res.body.error.message).toContain(permission);
    checked.push(route.path);
  }
  expect(checked.length).toBeGreaterThan(30);
});

test('the service key reads every read route and is refused every write but its own integration (webhooks, streams); support reads, never secrets', async () => {
  const document = (await apiClient(roster, '').get('/openapi.json').expect(200)).body;
  const f = await setUp();
  for (const route of documentedRoutes(document)) {
    if (!route.action || route.action === 'authorize') continue;
    const { writes, permission, integration } = definitionOf(route.action);
    const name = `${route.method} ${route.path}`;
    const service = await call(f.serviceKey, route.method, route.path, f);
    // The product's backend manages its own integration (webhooks, streams), not the directory.
    expect({ name, refused: service.status === 403 }).toEqual({ name, refused: writes && !integration });
    const support = await call(f.supportKey, route.method, route.path, f);
    // Support never uses its never-list's permissions, even to read (SSO settings, credentials).
    const secret =
      permission !== null &&
      (supportNeverAlways.has(permission) || roster.catalogue.supportNever.has(permission));
    expect({ name, refused: support.status === 403 }).toEqual({ name, refused: writes || secret });
  }
});
