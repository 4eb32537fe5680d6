import * as client from 'openid-client';
import { TestIdp } from '../support/test-idp';
import { aUser, createAccount, scimClient, type TestAccount } from '../support/roster';
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
 * Attacks through the OIDC entry: each one refused, and a refused sign-in reaches the product as
 * access_denied (never a dead end at Roster).
 */
let rig: HandOffRig;
let idp: TestIdp;
let product: Product;
let other: Product;
let otherAccount: TestAccount;

beforeAll(async () => {
  rig = await startHandOffRoster();
  idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  await rig.roster.services.domains.claim(rig.account.operator, 'acme.test');
  otherAccount = await createAccount(rig.roster, 'Other');
  await rig.roster.services.domains.claim(otherAccount.operator, 'other.test');
  product = await registerProduct(rig);
  other = await registerProduct(rig, { redirectUri: 'http://localhost:9/other' });
});

afterAll(async () => {
  await rig?.stop();
});

let counter = 0;
async function person(options: { active?: boolean; role?: string } = {}): Promise<string> {
  counter += 1;
  const userName = `attack${counter}@acme.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const created = await scim.post('/Users', aUser(userName, { active: options.active ?? true })).expect(201);
  if (options.role !== undefined)
    await rig.roster.services.roles.assign(rig.account.operator, created.body.id, options.role);
  return userName;
}

async function codeFor(userName: string, params: Record<string, string> = {}) {
  const auth = await authorization(product, params);
  const end = await signInThrough(new Browser(rig.url), idp, auth.url, userName);
  return { auth, callback: end.url };
}

function errorOf(url: string) {
  const params = new URL(url).searchParams;
  return {
    error: params.get('error'),
    description: params.get('error_description'),
    code: params.get('code'),
  };
}

test('login_hint alone finds the account by its claimed domain', async () => {
  const userName = await person({ role: 'analyst' });
  const { auth, callback } = await codeFor(userName, { login_hint: userName.toUpperCase() });
  const tokens = await exchange(product, callback, auth);
  expect(tokens.claims()?.account_id).toBe(rig.account.accountId);
});

test('a code used twice is refused the second time (and the first tokens stop working)', async () => {
  const userName = await person({ role: 'analyst' });
  const { auth, callback } = await codeFor(userName, { account: rig.account.accountId });
  const tokens = await exchange(product, callback, auth);
  await expect(exchange(product, callback, auth)).rejects.toMatchObject({ error: 'invalid_grant' });
  await expect(
    client.fetchUserInfo(product.config, tokens.access_token, client.skipSubjectCheck),
  ).rejects.toThrow();
});

test('a code is refused at another client', async () => {
  const userName = await person({ role: 'analyst' });
  const { auth, callback } = await codeFor(userName, { account: rig.account.accountId });
  const code = new URL(callback).searchParams.get('code') ?? '';
  const response = await fetch(`${rig.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${other.clientId}:${other.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: other.redirectUri,
      code_verifier: auth.verifier,
    }).toString(),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  // The rightful product can still use it: the attempt at another client did not consume it.
  await expect(exchange(product, callback, auth)).resolves.toBeTruthy();
});

test('a wrong PKCE verifier is refused', async () => {
  const userName = await person({ role: 'analyst' });
  const { auth, callback } = await codeFor(userName, { account: rig.account.accountId });
  await expect(
    exchange(product, callback, { ...auth, verifier: client.randomPKCECodeVerifier() }),
  ).rejects.toMatchObject({ error: 'invalid_grant' });
});

test('a request without PKCE, or asking for the implicit flow, never reaches a sign-in', async () => {
  const noPkce = new URL(`${rig.url}/oidc/auth`);
  noPkce.search = new URLSearchParams({
    client_id: product.clientId,
    redirect_uri: product.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 's',
  }).toString();
  const first = await new Browser(rig.url).go(noPkce.toString());
  expect(errorOf(first.url)).toMatchObject({ error: 'invalid_request', code: null });
  const implicit = new URL(noPkce);
  implicit.searchParams.set('response_type', 'id_token');
  implicit.searchParams.set('nonce', 'n');
  const second = await new Browser(rig.url).go(implicit.toString());
  // Errors for an implicit request come back in the fragment, as that response mode requires.
  const fragment = new URLSearchParams(new URL(second.url).hash.slice(1));
  expect(fragment.get('error')).toBe('unsupported_response_type');
  expect(fragment.get('id_token')).toBeNull();
});

test('the password and client-credentials grants are refused at the token endpoint', async () => {
  for (const grant of ['password', 'client_credentials']) {
    const response = await fetch(`${rig.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${product.clientId}:${product.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: grant,
        username: 'u',
        password: 'p',
        scope: 'openid',
      }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported_grant_type');
  }
});

test('an unregistered redirect URI gets an error page at Roster, never a redirect there', async () => {
  const auth = await authorization(product, {
    account: rig.account.accountId,
    redirect_uri: 'http://localhost:9/callback/../evil',
  });
  const stop = await new Browser(rig.url).go(auth.url);
  expect(stop.url.startsWith(rig.url)).toBe(true);
  expect(stop.status).toBe(400);
  expect(stop.text).toMatch(/redirect_uri/);
});

test("a login_hint at another account's domain is refused, also when an account is named", async () => {
  const userName = await person({ role: 'analyst' });
  const auth = await authorization(product, { account: rig.account.accountId, login_hint: 'bob@other.test' });
  const stop = await signInThrough(new Browser(rig.url), idp, auth.url, userName);
  expect(errorOf(stop.url)).toMatchObject({ error: 'access_denied', code: null });
  expect(errorOf(stop.url).description).toMatch(/another account/);
  const unclaimed = await authorization(product, { login_hint: 'bob@nobody.test' });
  const second = await new Browser(rig.url).go(unclaimed.url);
  expect(errorOf(second.url)).toMatchObject({ error: 'access_denied', code: null });
});

test('a deactivated user is sent back to the product with access_denied and the reason', async () => {
  const userName = await person({ active: false, role: 'analyst' });
  const auth = await authorization(product, { account: rig.account.accountId });
  const stop = await signInThrough(new Browser(rig.url), idp, auth.url, userName);
  expect(stop.url.startsWith(product.redirectUri)).toBe(true);
  expect(errorOf(stop.url)).toMatchObject({
    error: 'access_denied',
    description: 'The user is deactivated',
    code: null,
  });
  expect(new URL(stop.url).searchParams.get('state')).toBe(auth.state);
});

test('a badly signed SAML response through the OIDC entry reaches the product as access_denied', async () => {
  const userName = await person({ role: 'analyst' });
  const forger = await TestIdp.start('okta');
  const auth = await authorization(product, { account: rig.account.accountId });
  const browser = new Browser(rig.url);
  const atIdp = await browser.go(auth.url);
  const request = idp.readRequest(atIdp.url);
  const forged = forger.response({
    nameId: userName,
    acsUrl: request.acsUrl,
    audience: request.acsUrl.replace(/\/acs$/, '/metadata'),
    inResponseTo: request.id,
    now: Date.now(),
  });
  const stop = await browser.go(request.acsUrl, {
    method: 'POST',
    form: { SAMLResponse: forged, RelayState: request.relayState ?? '' },
  });
  expect(errorOf(stop.url)).toMatchObject({ error: 'access_denied', code: null });
  expect(errorOf(stop.url).description).toMatch(/signature/);
});

test('a Roster session from an earlier sign-in does not finish a new interaction by itself', async () => {
  const userName = await person({ role: 'analyst' });
  const browser = new Browser(rig.url);
  const first = await authorization(product, { account: rig.account.accountId });
  await signInThrough(browser, idp, first.url, userName);
  // The provider session is dropped; the Roster session cookie stays. A new interaction must go to the IdP.
  browser.jar.delete('roster_oidc');
  browser.jar.delete('roster_oidc.sig');
  const second = await authorization(product, { account: rig.account.accountId });
  const stop = await browser.go(second.url);
  expect(stop.url.startsWith(idp.ssoUrl)).toBe(true);
  const interaction = new URL(idp.readRequest(stop.url).relayState ?? '', rig.url).toString();
  const skipped = await browser.go(interaction);
  // Going straight to the return path without the IdP: the older session is refused.
  expect(errorOf(skipped.url)).toMatchObject({ error: 'access_denied', code: null });
});

test('an authenticator locked by wrong codes at the step-up sends the product access_denied, not a dead end', async () => {
  const userName = await person({ role: 'support' });
  await rig.roster.services.mfa.setRole(rig.account.operator, 'support', true);
  const auth = await authorization(product, { account: rig.account.accountId });
  const browser = new Browser(rig.url);
  const stepUp = await signInThrough(browser, idp, auth.url, userName);
  expect(stepUp.text).toContain('totp-secret');
  let stop = stepUp;
  for (let tries = 0; tries < 5 && stop.url.startsWith(rig.url); tries++) {
    stop = await browser.go(`${rig.url}/sso/${rig.account.accountId}/mfa`, {
      method: 'POST',
      form: { code: '000000' },
    });
  }
  expect(stop.url.startsWith(product.redirectUri)).toBe(true);
  expect(errorOf(stop.url)).toMatchObject({ error: 'access_denied', code: null });
  expect(new URL(stop.url).searchParams.get('state')).toBe(auth.state);
  // Locked now: the next sign-in through the product is refused the same way, at once.
  const again = await authorization(product, { account: rig.account.accountId });
  const refused = await signInThrough(new Browser(rig.url), idp, again.url, userName);
  expect(errorOf(refused.url)).toMatchObject({ error: 'access_denied', code: null });
});
