import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { TestIdp } from '../support/test-idp';
import { Receiver } from '../support/backchannel-receiver';
import { apiClient, aUser, patchOp, scimClient } from '../support/roster';
import {
  authorization,
  Browser,
  exchange,
  registerProduct,
  signInThrough,
  startHandOffRoster,
  type HandOffRig,
  type Product,
} from '../support/oidc-flow';

let rig: HandOffRig;
let idp: TestIdp;
let receiver: Receiver;
let product: Product;

beforeAll(async () => {
  rig = await startHandOffRoster();
  idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  receiver = await Receiver.start();
  product = await registerProduct(rig, {
    backchannelLogoutUri: receiver.url,
    postLogoutRedirectUri: 'http://localhost:9/signed-out',
  });
});

afterAll(async () => {
  await rig?.stop();
  await receiver?.stop();
});

let counter = 0;
async function signedIn(browser = new Browser(rig.url)) {
  counter += 1;
  const userName = `leaver${counter}@acme.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, id, 'analyst');
  const auth = await authorization(product, { account: rig.account.accountId });
  const end = await signInThrough(browser, idp, auth.url, userName);
  const tokens = await exchange(product, end.url, auth);
  return { id, userName, tokens, browser, scim };
}

/** What a product does with a logout token: verify it against Roster's published JWKS. */
async function verifyLogoutToken(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${rig.url}/oidc/jwks`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: `${rig.url}/oidc`,
    audience: product.clientId,
    typ: 'logout+jwt',
    maxTokenAge: '2 minutes',
  });
  return { payload, protectedHeader };
}

test('deprovisioning over SCIM sends the product a signed logout token, and its tokens stop working', async () => {
  const before = receiver.tokens.length;
  const person = await signedIn();
  await person.scim
    .patch(`/Users/${person.id}`, patchOp({ op: 'replace', path: 'active', value: false }))
    .expect(200);
  const { payload } = await verifyLogoutToken(await receiver.next(before + 1));
  expect(payload).toMatchObject({
    sub: person.id,
    sid: person.tokens.claims()?.sid,
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  });
  expect(payload.nonce).toBeUndefined();
  expect(typeof payload.jti).toBe('string');
  await expect(client.fetchUserInfo(product.config, person.tokens.access_token, person.id)).rejects.toThrow();
  const audit = await rig.roster.services.audit.list(rig.account.operator, {
    subjectId: person.id,
    action: 'oidc.sessions_ended',
  });
  expect(audit.events[0]?.after).toMatchObject({ reason: 'deactivated' });
});

test("RP-initiated logout ends Roster's session and the provider's, and returns to the product", async () => {
  const person = await signedIn();
  expect(person.browser.jar.has('roster_session')).toBe(true);
  const url = client.buildEndSessionUrl(product.config, {
    id_token_hint: person.tokens.id_token ?? '',
    post_logout_redirect_uri: 'http://localhost:9/signed-out',
    state: 'bye',
  });
  const page = await person.browser.go(url.toString());
  expect(page.text).toMatch(/Sign out of Roster/);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const end = await person.browser.go(`${rig.url}/oidc/session/end/confirm`, {
    method: 'POST',
    form: { xsrf, logout: 'yes' },
  });
  expect(end.url).toBe('http://localhost:9/signed-out?state=bye');
  expect(person.browser.jar.has('roster_session')).toBe(false);
  const sessions = await rig.roster.database.query(
    `SELECT id FROM sso_sessions WHERE user_id = '${person.id}'`,
  );
  expect(sessions).toHaveLength(0);
  await expect(client.fetchUserInfo(product.config, person.tokens.access_token, person.id)).rejects.toThrow();
});

test("a product's logout tells the other product signed in in that browser, retried until it answers", async () => {
  // The other product is restarting: its first answer is a 503.
  const otherReceiver = await Receiver.start(1);
  try {
    const other = await registerProduct(rig, {
      redirectUri: 'http://localhost:9/other',
      backchannelLogoutUri: otherReceiver.url,
    });
    const person = await signedIn();
    const auth = await authorization(other, { account: rig.account.accountId });
    const atOther = await person.browser.go(auth.url);
    expect(atOther.url.startsWith(other.redirectUri)).toBe(true);
    const otherTokens = await exchange(other, atOther.url, auth);
    const url = client.buildEndSessionUrl(product.config, {
      id_token_hint: person.tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://localhost:9/signed-out',
    });
    const page = await person.browser.go(url.toString());
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const end = await person.browser.go(`${rig.url}/oidc/session/end/confirm`, {
      method: 'POST',
      form: { xsrf, logout: 'yes' },
    });
    expect(end.url).toBe('http://localhost:9/signed-out');
    const jwks = createRemoteJWKSet(new URL(`${rig.url}/oidc/jwks`));
    const { payload } = await jwtVerify(await otherReceiver.next(1), jwks, {
      issuer: `${rig.url}/oidc`,
      audience: other.clientId,
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({ sub: person.id, sid: otherTokens.claims()?.sid });
    await expect(client.fetchUserInfo(other.config, otherTokens.access_token, person.id)).rejects.toThrow();
  } finally {
    await otherReceiver.stop();
  }
});

test("logging out on Roster's own page tells the product too", async () => {
  const before = receiver.tokens.length;
  const person = await signedIn();
  const home = await person.browser.go(`${rig.url}/sso/${rig.account.accountId}/home`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(home.text)?.[1] ?? '';
  await person.browser.go(`${rig.url}/sso/${rig.account.accountId}/logout`, {
    method: 'POST',
    form: { csrf },
  });
  const { payload } = await verifyLogoutToken(await receiver.next(before + 1));
  expect(payload).toMatchObject({ sub: person.id, sid: person.tokens.claims()?.sid });
});

test("an Admin signs a person out everywhere: Roster's session ends, the product is told, and the person may sign in again", async () => {
  const before = receiver.tokens.length;
  const person = await signedIn();
  const adminName = `admin${counter}@acme.test`;
  const adminId = (await person.scim.post('/Users', aUser(adminName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, adminId, 'admin');
  const admin = apiClient(
    rig.roster,
    (await rig.roster.services.apiKeys.issueForMember(rig.account.operator, adminName)).secret,
  );
  const analyst = apiClient(
    rig.roster,
    (await rig.roster.services.apiKeys.issueForMember(rig.account.operator, person.userName)).secret,
  );
  await analyst.delete(`/members/${adminId}/sessions`).expect(403);
  await admin.delete(`/members/${rig.account.ownerId}/sessions`).expect(403);
  await admin.delete('/members/nobody@acme.test/sessions').expect(404);

  await admin.delete(`/members/${person.id}/sessions`).expect(204);
  const { payload } = await verifyLogoutToken(await receiver.next(before + 1));
  expect(payload).toMatchObject({ sub: person.id, sid: person.tokens.claims()?.sid });
  await expect(client.fetchUserInfo(product.config, person.tokens.access_token, person.id)).rejects.toThrow();
  const home = await person.browser.go(`${rig.url}/sso/${rig.account.accountId}/home`);
  expect(home.status).toBe(401);
  // Not a deprovisioning: the same person signs in again at once.
  const auth = await authorization(product, { account: rig.account.accountId });
  const again = await signInThrough(person.browser, idp, auth.url, person.userName);
  expect((await exchange(product, again.url, auth)).claims()?.sub).toBe(person.id);
});

test('a rotated key signs new ID tokens while the old one stays published', async () => {
  const first = await signedIn();
  const oldKid = decodeProtectedHeader(first.tokens.id_token ?? '').kid;
  const rotated = await rig.roster.services.signingKeys!.rotate();
  // Servers look for a new key every 10 s.
  await new Promise((r) => setTimeout(r, 10_500));
  const second = await signedIn();
  expect(decodeProtectedHeader(second.tokens.id_token ?? '').kid).toBe(rotated.kid);
  const jwks = (await (await fetch(`${rig.url}/oidc/jwks`)).json()) as {
    keys: { kid: string; d?: string }[];
  };
  expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
  expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
}, 30_000);
