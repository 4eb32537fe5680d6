import request from 'supertest';
import { listen, type RawServer } from '../support/raw-http';
import {
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { TestIdp, type ResponseOptions } from '../support/test-idp';

/**
 * Hostile SAML responses are refused by their text, before node-saml parses, runs XPath or checks a
 * signature; the rest of the profile's rules hold on what was signed; the pages defend themselves.
 */
const now = Date.parse('2026-11-23T12:00:00Z');
const clock = { now: () => now };

let roster: TestRoster;
let idp: TestIdp;
let account: TestAccount;
let acsUrl: string;
let server: RawServer;

beforeAll(async () => {
  roster = await startRoster({}, { clock });
  idp = await TestIdp.start('okta');
  account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, {});
  acsUrl = `${PUBLIC_URL}/sso/${account.accountId}/acs`;
  server = await listen(roster.app);
});
afterAll(async () => {
  await server.close();
  await roster.stop();
});

const xmlOf = (nameId: string, options: Partial<ResponseOptions> = {}) =>
  idp.responseXml({
    nameId,
    acsUrl,
    audience: `${PUBLIC_URL}/sso/${account.accountId}/metadata`,
    now,
    ...options,
  });
const post = (samlResponse: string) =>
  request(roster.app).post(`/sso/${account.accountId}/acs`).type('form').send({ SAMLResponse: samlResponse });
const base64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

let counter = 0;
async function person(role: string | null, userName = `sso-hostile${++counter}@example.test`) {
  const scim = scimClient(roster, account.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  if (role) await roster.services.roles.assign(account.operator, id, role);
  return { id, userName };
}

async function lastRefusal(): Promise<Record<string, unknown>> {
  const { events } = await roster.services.audit.list(account.operator, { limit: 1 });
  expect(events[0]).toMatchObject({ action: 'sso.login_refused' });
  return events[0].after as Record<string, unknown>;
}

function expectPage(res: request.Response, status: number, reason: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(`data-reason="${reason}"`);
}

describe('refused by its text, before any signature or XPath work', () => {
  it('a response with a DOCTYPE (entity expansion) is refused', async () => {
    const { userName } = await person('analyst');
    const xml = xmlOf(userName).replace(
      '<samlp:Response',
      '<!DOCTYPE r [<!ENTITY lol "lol">]><samlp:Response',
    );
    expectPage(await post(base64(xml)), 403, 'malformed');
    expect((await lastRefusal()).detail).toMatch(/DOCTYPE/);
  });

  it('a response nested 10,000 elements deep is refused', async () => {
    const { userName } = await person('analyst');
    // Put in after signing: the signature no longer matches, but nothing gets as far as checking it.
    const deep = '<e>'.repeat(10_000) + '</e>'.repeat(10_000);
    const xml = xmlOf(userName).replace(
      '</samlp:Status>',
      `</samlp:Status><samlp:Extensions>${deep}</samlp:Extensions>`,
    );
    expectPage(await post(base64(xml)), 403, 'malformed');
    expect((await lastRefusal()).detail).toMatch(/nest deeper than 50/);
  });

  it('a response larger than the form limit is a 413 page', async () => {
    const huge = base64(`<samlp:Response>${'a'.repeat(600_000)}</samlp:Response>`);
    expectPage(await post(huge), 413, 'bad_request');
  });

  it('a broken address under /sso is a 400 page, not a 500', async () => {
    for (const path of [`/sso/%ff/login`, `/sso/${account.accountId}/home/%e0%80`, '/sso/%/metadata']) {
      const res = await server.send('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
  });
});

describe('on what was signed', () => {
  it('an empty NameID gets a refusal page, not a 500', async () => {
    const res = await post(base64(xmlOf('')));
    expectPage(res, 403, 'no_name_id');
    expect(res.text).toContain('did not say who you are');
    expect((await lastRefusal()).reason).toBe('no_name_id');
  });

  it('the subject must be confirmed by the bearer method', async () => {
    const { userName } = await person('analyst');
    const hok = xmlOf(userName, { confirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' });
    expectPage(await post(base64(hok)), 403, 'malformed');
    expect((await lastRefusal()).detail).toMatch(/bearer/);
    const bearer = await post(base64(xmlOf(userName)));
    expect(bearer.status).toBe(303);
  });

  it('a NameID with KELVIN SIGN does not sign in as the user with a "k"', async () => {
    const kate = await person('analyst', `kate${++counter}@example.test`);
    const lookalike = kate.userName.replace(/^k/, '\u212A');
    expectPage(await post(base64(xmlOf(lookalike))), 403, 'unknown_user');
    const real = await post(base64(xmlOf(kate.userName.toUpperCase())));
    expect(real.status).toBe(303);
  });
});

describe('SSO pages defend themselves', () => {
  it('send a Content-Security-Policy, refuse framing and sniffing, and no Referer', async () => {
    for (const path of [`/sso/${account.accountId}/home`, `/sso/${account.accountId}/signed-out`]) {
      const res = await request(roster.app).get(path);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    const refused = await post(base64('not xml'));
    expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
