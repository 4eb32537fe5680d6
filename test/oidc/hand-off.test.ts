import * as client from 'openid-client';
import { TestIdp } from '../support/test-idp';
import { aUser, scimClient } from '../support/roster';
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
let product: Product;

beforeAll(async () => {
  rig = await startHandOffRoster();
  idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  product = await registerProduct(rig);
});

afterAll(async () => {
  await rig?.stop();
});

let counter = 0;
async function person(role: string): Promise<{ id: string; userName: string }> {
  counter += 1;
  const userName = `person${counter}@acme.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const created = await scim
    .post('/Users', aUser(userName, { displayName: `Person ${counter}` }))
    .expect(201);
  await rig.roster.services.roles.assign(rig.account.operator, created.body.id, role);
  return { id: created.body.id as string, userName };
}

test('a product signs a person in: the ID token and userinfo say who, in which account, with which role and how', async () => {
  const alice = await person('analyst');
  const auth = await authorization(product, { account: rig.account.accountId });
  const browser = new Browser(rig.url);
  const end = await signInThrough(browser, idp, auth.url, alice.userName);
  expect({ url: end.url, status: end.status, text: end.text.slice(0, 800) }).toMatchObject({
    url: expect.stringContaining(product.redirectUri),
  });
  const tokens = await exchange(product, end.url, auth);
  const claims = tokens.claims();
  expect(claims).toMatchObject({
    iss: `${rig.url}/oidc`,
    sub: alice.id,
    aud: product.clientId,
    nonce: auth.nonce,
    account_id: rig.account.accountId,
    role: 'analyst',
    role_name: 'Analyst',
    email: alice.userName,
    name: 'Person 1',
    amr: ['pwd'],
    acr: 'pwd',
  });
  expect(claims?.permissions).toEqual(expect.arrayContaining(['flows.view_analytics']));
  expect(typeof claims?.sid).toBe('string');
  expect(typeof claims?.auth_time).toBe('number');
  const info = await client.fetchUserInfo(product.config, tokens.access_token, alice.id);
  expect(info).toMatchObject({
    sub: alice.id,
    account_id: rig.account.accountId,
    role: 'analyst',
    amr: ['pwd'],
  });
  expect(info.sid).toBe(claims?.sid);
});

test('a product asking for a fresh login (prompt=login) makes the AuthnRequest ask the IdP for one (ForceAuthn)', async () => {
  const bob = await person('analyst');
  const asked: boolean[] = [];
  const asks: Record<string, string>[] = [{}, { prompt: 'login' }, { max_age: '0' }];
  for (const params of asks) {
    const auth = await authorization(product, { account: rig.account.accountId, ...params });
    const end = await signInThrough(new Browser(rig.url), idp, auth.url, bob.userName, (request) => {
      asked.push(request.forceAuthn);
      return {};
    });
    expect(end.url.startsWith(product.redirectUri)).toBe(true);
  }
  expect(asked).toEqual([false, true, true]);
});
