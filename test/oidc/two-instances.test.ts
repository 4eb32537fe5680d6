import type { Server } from 'node:http';
import * as client from 'openid-client';
import { loadConfig } from '../../src/config/load';
import { compose, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import { TestIdp } from '../support/test-idp';
import { freePort } from '../support/idp-server';
import { aUser, scimClient } from '../support/roster';
import {
  authorization,
  Browser,
  registerProduct,
  startHandOffRoster,
  type HandOffRig,
} from '../support/oidc-flow';

/**
 * Two instances composed on one database, as behind a load balancer: each step of a sign-in goes to
 * the other instance than the step before. Nothing the provider needs is in either one's memory.
 */
let rig: HandOffRig;
let second: Roster;
let secondServer: Server;
let secondUrl: string;

beforeAll(async () => {
  rig = await startHandOffRoster({ OIDC_COOKIE_KEYS: 'a-cookie-key-of-at-least-thirty-two-characters' });
  const port = await freePort();
  secondUrl = `http://localhost:${port}`;
  const config = loadConfig({
    DATABASE_URL: rig.roster.database.url,
    PUBLIC_URL: rig.url,
    LOG_LEVEL: 'silent',
    OIDC_KEY_ENCRYPTION_KEY: rig.roster.config.oidc!.keyEncryptionKey,
    OIDC_COOKIE_KEYS: 'a-cookie-key-of-at-least-thirty-two-characters',
  });
  second = await compose(config, { logger: createLogger('silent') });
  secondServer = second.app.listen(port, 'localhost');
});

afterAll(async () => {
  await new Promise<void>((resolve) => (secondServer ? secondServer.close(() => resolve()) : resolve()));
  await second?.close();
  await rig?.stop();
});

/** A browser whose every other request lands on the second instance (same public URL, same cookies). */
class AlternatingBrowser extends Browser {
  private turn = 0;
  route(url: string): string {
    this.turn += 1;
    return this.turn % 2 === 0 && url.startsWith(rig.url) ? secondUrl + url.slice(rig.url.length) : url;
  }
}

test('a sign-in whose steps alternate between two instances completes, and either answers the token and userinfo', async () => {
  const idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  const scim = scimClient(rig.roster, rig.account.token);
  const id = (await scim.post('/Users', aUser('both@acme.test')).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, id, 'manager');
  const product = await registerProduct(rig);
  const auth = await authorization(product, { account: rig.account.accountId });

  const browser = new AlternatingBrowser(rig.url);
  const hops: string[] = [];
  browser.rewrite = (url) => {
    const routed = browser.route(url);
    hops.push(routed.startsWith(secondUrl) ? 'second' : 'first');
    return routed;
  };
  const atIdp = await browser.go(auth.url);
  const request = idp.readRequest(atIdp.url);
  const end = await browser.go(request.acsUrl, {
    method: 'POST',
    form: {
      SAMLResponse: idp.response({
        nameId: 'both@acme.test',
        acsUrl: request.acsUrl,
        audience: request.acsUrl.replace(/\/acs$/, '/metadata'),
        inResponseTo: request.id,
        now: Date.now(),
      }),
      RelayState: request.relayState ?? '',
    },
  });
  expect(hops).toEqual(expect.arrayContaining(['first', 'second']));
  expect(hops.length).toBeGreaterThanOrEqual(5);
  expect(end.url.startsWith(product.redirectUri)).toBe(true);

  // The product talks to the second instance only.
  const viaSecond = await client.discovery(
    new URL(`${rig.url}/oidc`),
    product.clientId,
    undefined,
    client.ClientSecretBasic(product.secret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  viaSecond[client.customFetch] = (url, options) =>
    fetch(url.startsWith(rig.url) ? secondUrl + url.slice(rig.url.length) : url, options as RequestInit);
  const tokens = await client.authorizationCodeGrant(viaSecond, new URL(end.url), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  expect(tokens.claims()).toMatchObject({ sub: id, role: 'manager' });
  const info = await client.fetchUserInfo(product.config, tokens.access_token, id);
  expect(info.role).toBe('manager');
});
