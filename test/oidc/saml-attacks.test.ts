import { tamper, TestIdp, wrapSignature, type ResponseOptions } from '../support/test-idp';
import { aUser, scimClient } from '../support/roster';
import {
  authorization,
  Browser,
  exchange,
  registerProduct,
  startHandOffRoster,
  type HandOffRig,
  type Product,
} from '../support/oidc-flow';

/**
 * The SAML attacks the SP refuses (test/http/sso-login.test.ts), sent through a product's sign-in:
 * each reaches the product as access_denied with the reason and its state, never with a code.
 */
let rig: HandOffRig;
let idp: TestIdp;
let otherIdp: TestIdp;
let product: Product;
let userName: string;

beforeAll(async () => {
  rig = await startHandOffRoster();
  idp = await TestIdp.start('okta');
  otherIdp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  product = await registerProduct(rig);
  userName = 'target@acme.test';
  const scim = scimClient(rig.roster, rig.account.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, id, 'admin');
});

afterAll(async () => {
  await rig?.stop();
});

interface AtIdp {
  request: ReturnType<TestIdp['readRequest']>;
  /** The signed response a real IdP would send for `nameId`, with these changes. */
  response(nameId: string, changes?: Partial<ResponseOptions>, signer?: TestIdp): string;
}

/** A product's sign-in up to the IdP; `attack` makes the SAMLResponse; where the browser ends. */
async function throughOidc(attack: (at: AtIdp) => string | Promise<string>) {
  const auth = await authorization(product, { account: rig.account.accountId });
  const browser = new Browser(rig.url);
  const atIdp = await browser.go(auth.url);
  const request = idp.readRequest(atIdp.url);
  const response = (nameId: string, changes: Partial<ResponseOptions> = {}, signer = idp) =>
    signer.response({
      nameId,
      acsUrl: request.acsUrl,
      audience: request.acsUrl.replace(/\/acs$/, '/metadata'),
      inResponseTo: request.id,
      now: Date.now(),
      ...changes,
    });
  const samlResponse = await attack({ request, response });
  const stop = await browser.go(request.acsUrl, {
    method: 'POST',
    form: { SAMLResponse: samlResponse, RelayState: request.relayState ?? '' },
  });
  return { stop, auth };
}

async function expectDenied(attack: (at: AtIdp) => string | Promise<string>, reason: RegExp) {
  const { stop, auth } = await throughOidc(attack);
  expect(stop.url.startsWith(product.redirectUri)).toBe(true);
  const params = new URL(stop.url).searchParams;
  expect(params.get('code')).toBeNull();
  expect(params.get('error')).toBe('access_denied');
  expect(params.get('error_description')).toMatch(reason);
  expect(params.get('state')).toBe(auth.state);
}

const elsewhere = '/sso/00000000-0000-4000-8000-000000000000/acs';

test.each<[string, (at: AtIdp) => string, RegExp]>([
  ['unsigned', (at) => at.response(userName, { sign: 'none' }), /not signed/],
  [
    'altered after signing (another NameID in the signed assertion)',
    (at) => tamper(at.response('nobody@acme.test'), (xml) => xml.replace('nobody@acme.test', userName)),
    /signature/,
  ],
  [
    'signature wrapping (XSW): a copy of the signed assertion naming someone else',
    (at) => wrapSignature(at.response('intern@acme.test', { sign: 'assertion' }), userName),
    /signature/,
  ],
  ['signed with SHA-1', (at) => at.response(userName, { algorithm: 'sha1' }), /weak algorithm/],
  ['expired', (at) => at.response(userName, { now: Date.now() - 10 * 60_000 }), /expired/],
  [
    'not yet valid (beyond the clock skew)',
    (at) => at.response(userName, { validFrom: Date.now() + 2 * 60_000 }),
    /not valid yet/,
  ],
  [
    'meant for another application',
    (at) => at.response(userName, { audience: 'https://other-app.example/saml' }),
    /meant for another service/,
  ],
  [
    'sent to another address (Destination)',
    (at) => at.response(userName, { destination: new URL(elsewhere, rig.url).toString() }),
    /sent to another address/,
  ],
  [
    'confirmed for another address (Recipient)',
    (at) => at.response(userName, { recipient: new URL(elsewhere, rig.url).toString() }),
    /sent to another address/,
  ],
  ["signed by another IdP's key", (at) => at.response(userName, {}, otherIdp), /signature/],
  [
    'answering a request Roster never made',
    (at) => at.response(userName, { inResponseTo: '_never-issued' }),
    /Roster did not start/,
  ],
])('%s: the product gets access_denied', async (_name, attack, reason) => {
  await expectDenied(attack, reason);
});

test('a response replayed into a second sign-in: the product gets access_denied', async () => {
  let captured = '';
  const { stop, auth } = await throughOidc((at) => {
    captured = at.response(userName, { assertionId: '_a-replayed' });
    return captured;
  });
  await exchange(product, stop.url, auth);
  await expectDenied((at) => at.response(userName, { assertionId: '_a-replayed' }), /used before/);
});
