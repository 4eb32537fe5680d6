import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { Receiver } from '../support/backchannel-receiver';
import { aUser, scimClient } from '../support/roster';
import {
  keyPair,
  logoutRequest,
  logoutResponse,
  readRedirect,
  TestIdp,
  type KeyPair,
} from '../support/test-idp';
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

/**
 * SAML single logout tied to the product's sign-in: a product's logout (RP-initiated) takes the
 * browser through the account's IdP (a signed LogoutRequest for that NameID and SessionIndex) and
 * back to the product's post-logout URI; the IdP's own LogoutRequest ends the product's sign-in,
 * which the product learns by back-channel.
 */
let rig: HandOffRig;
let idp: TestIdp;
let spKey: KeyPair;
let dir: string;
let receiver: Receiver;
let product: Product;
const idpSlo = 'https://idp.test/okta/slo';
const postLogout = 'http://localhost:9/signed-out';

beforeAll(async () => {
  spKey = await keyPair('Roster SP');
  dir = mkdtempSync(join(tmpdir(), 'roster-slo-'));
  writeFileSync(join(dir, 'sp.key'), spKey.privateKey);
  writeFileSync(join(dir, 'sp.crt'), spKey.cert);
  rig = await startHandOffRoster({
    SAML_SP_KEY_FILE: join(dir, 'sp.key'),
    SAML_SP_CERT_FILE: join(dir, 'sp.crt'),
  });
  idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml([], idpSlo) });
  receiver = await Receiver.start();
  product = await registerProduct(rig, {
    backchannelLogoutUri: receiver.url,
    postLogoutRedirectUri: postLogout,
  });
});

afterAll(async () => {
  await rig?.stop();
  await receiver?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sloUrl = () => `${rig.url}/sso/${rig.account.accountId}/slo`;
let counter = 0;

/** A person signed in to the product through the IdP, whose assertion carried `sessionIndex`. */
async function signedIn(sessionIndex: string) {
  counter += 1;
  const userName = `slo${counter}@acme.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, id, 'analyst');
  const browser = new Browser(rig.url);
  const auth = await authorization(product, { account: rig.account.accountId });
  const end = await signInThrough(browser, idp, auth.url, userName, () => ({ sessionIndex }));
  const tokens = await exchange(product, end.url, auth);
  return { id, userName, tokens, browser };
}

/** The product sends the browser to end_session; the person confirms. Returns where the browser stopped. */
async function productLogout(person: Awaited<ReturnType<typeof signedIn>>, state: string) {
  const url = client.buildEndSessionUrl(product.config, {
    id_token_hint: person.tokens.id_token ?? '',
    post_logout_redirect_uri: postLogout,
    state,
  });
  const page = await person.browser.go(url.toString());
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return person.browser.go(`${rig.url}/oidc/session/end/confirm`, {
    method: 'POST',
    form: { xsrf, logout: 'yes' },
  });
}

/** What the IdP received: the LogoutRequest's NameID, SessionIndex, id and RelayState, and whether Roster signed it. */
function atIdp(location: string) {
  const sent = readRedirect(location, spKey.cert);
  return {
    verified: sent.verified,
    nameId: /<saml:NameID[^>]*>([^<]+)</.exec(sent.xml)?.[1],
    sessionIndex: /<\w+:SessionIndex[^>]*>([^<]+)</.exec(sent.xml)?.[1],
    id: /ID="([^"]+)"/.exec(sent.xml)?.[1] ?? '',
    relayState: new URL(location).searchParams.get('RelayState') ?? '',
  };
}

test("a product's logout goes through the IdP's single logout (a signed LogoutRequest for that NameID and SessionIndex), then back to the product with its state", async () => {
  const person = await signedIn('_rp-slo');
  const toIdp = await productLogout(person, 'bye');
  expect(toIdp.url.startsWith(`${idpSlo}?`)).toBe(true);
  const request = atIdp(toIdp.url);
  expect(request).toMatchObject({ verified: true, nameId: person.userName, sessionIndex: '_rp-slo' });
  // Roster's sign-in ended before the browser left: nothing depends on the IdP answering.
  expect(person.browser.jar.has('roster_session')).toBe(false);
  await expect(client.fetchUserInfo(product.config, person.tokens.access_token, person.id)).rejects.toThrow();

  const samlResponse = logoutResponse(idp, {
    inResponseTo: request.id,
    destination: sloUrl(),
    now: Date.now(),
  });
  const back = await person.browser.go(sloUrl(), {
    method: 'POST',
    form: { SAMLResponse: samlResponse, RelayState: request.relayState },
  });
  expect(back.url).toBe(`${postLogout}?state=bye`);

  // The return is used once: the same answer again reaches Roster's signed-out page, not the product.
  const again = await new Browser(rig.url).go(sloUrl(), {
    method: 'POST',
    form: { SAMLResponse: samlResponse, RelayState: request.relayState },
  });
  expect(again.url).not.toContain(postLogout);
  for (const key of ['short', 'x'.repeat(5_000), '%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00']) {
    const res = await fetch(`${rig.url}/oidc/logout-return/${key}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${rig.url}/oidc/session/end/success`);
  }
});

test('an IdP that could not log the person out (or answers badly) still sends the browser back to the product', async () => {
  const person = await signedIn('_partial');
  const request = atIdp((await productLogout(person, 'partial')).url);
  const back = await person.browser.go(sloUrl(), {
    method: 'POST',
    form: {
      SAMLResponse: logoutResponse(idp, {
        inResponseTo: request.id,
        destination: sloUrl(),
        now: Date.now(),
        status: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
      }),
      RelayState: request.relayState,
    },
  });
  expect(back.url).toBe(`${postLogout}?state=partial`);
});

test("a LogoutResponse whose RelayState points elsewhere lands on Roster's signed-out page", async () => {
  const person = await signedIn('_elsewhere');
  const request = atIdp((await productLogout(person, 'x')).url);
  for (const relayState of ['https://evil.test/', '//evil.test/', '/oidc/logout-return/../../admin']) {
    const res = await fetch(sloUrl(), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        SAMLResponse: logoutResponse(idp, {
          inResponseTo: request.id,
          destination: sloUrl(),
          now: Date.now(),
        }),
        RelayState: relayState,
      }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/sso/${rig.account.accountId}/signed-out`);
  }
});

test("the IdP's LogoutRequest ends the product's sign-in: the product's back-channel receives a logout token it verifies", async () => {
  const before = receiver.tokens.length;
  const person = await signedIn('_idp-slo');
  const other = await signedIn('_other');
  const res = await fetch(sloUrl(), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      SAMLRequest: logoutRequest(idp, {
        nameId: person.userName,
        sessionIndex: '_idp-slo',
        destination: sloUrl(),
        now: Date.now(),
      }),
    }).toString(),
  });
  expect(res.status).toBe(302);
  const answer = readRedirect(res.headers.get('location') ?? '', spKey.cert);
  expect(answer.verified).toBe(true);
  expect(answer.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');

  const jwks = createRemoteJWKSet(new URL(`${rig.url}/oidc/jwks`));
  const { payload } = await jwtVerify(await receiver.next(before + 1), jwks, {
    issuer: `${rig.url}/oidc`,
    audience: product.clientId,
    typ: 'logout+jwt',
  });
  expect(payload).toMatchObject({
    sub: person.id,
    sid: person.tokens.claims()?.sid,
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  });
  await expect(client.fetchUserInfo(product.config, person.tokens.access_token, person.id)).rejects.toThrow();
  // Another person's sign-in is untouched, and nobody else's logout token was sent.
  expect(await client.fetchUserInfo(product.config, other.tokens.access_token, other.id)).toMatchObject({
    sub: other.id,
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(receiver.tokens).toHaveLength(before + 1);
});
