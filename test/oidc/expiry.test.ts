import { createLogger } from '../../src/adapters/http/logger';
import { scheduleJobs } from '../../src/jobs/scheduler';
import { TestIdp } from '../support/test-idp';
import { Receiver } from '../support/backchannel-receiver';
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

/** Roster's clock, moved by the test: a session's end comes without waiting a day. */
let offset = 0;
const clock = { now: () => Date.now() + offset };

let rig: HandOffRig;
let idp: TestIdp;
let receiver: Receiver;
let product: Product;

beforeAll(async () => {
  rig = await startHandOffRoster({}, { clock });
  idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  receiver = await Receiver.start();
  product = await registerProduct(rig, { backchannelLogoutUri: receiver.url });
});

afterAll(async () => {
  await rig?.stop();
  await receiver?.stop();
});

test("when the Roster session behind a product's sign-in expires, the sweep tells the product and the next request signs in again", async () => {
  const scim = scimClient(rig.roster, rig.account.token);
  const id = (await scim.post('/Users', aUser('expiring@acme.test')).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(rig.account.operator, id, 'analyst');
  const browser = new Browser(rig.url);
  const auth = await authorization(product, { account: rig.account.accountId });
  const end = await signInThrough(browser, idp, auth.url, 'expiring@acme.test', () => ({ now: clock.now() }));
  const tokens = await exchange(product, end.url, auth);

  // Still within the session: a second authorization needs no IdP (the provider session holds).
  const again = await authorization(product, { account: rig.account.accountId });
  expect((await browser.go(again.url)).url.startsWith(product.redirectUri)).toBe(true);

  offset += 25 * 60 * 60_000; // past the default absolute end (24 h)
  const later = await authorization(product, { account: rig.account.accountId });
  expect((await browser.go(later.url)).url.startsWith(idp.ssoUrl)).toBe(true);

  const run = await rig.roster.jobs.run('oidc-sweep');
  expect(run).toMatchObject({ ran: true, outcome: expect.stringMatching(/^1 expired sign-in ended/) });
  const token = await receiver.next(1);
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
  expect(payload).toMatchObject({ sub: id, sid: tokens.claims()?.sid });
  const sessions = await rig.roster.database.query(`SELECT id FROM sso_sessions WHERE user_id = '${id}'`);
  expect(sessions).toHaveLength(0);
});

test("with the server's sweeps on their default interval (5 minutes), an expired product sign-in reaches the product within seconds", async () => {
  const stop = scheduleJobs(rig.roster.jobs, 300, createLogger('silent'));
  try {
    const before = receiver.tokens.length;
    const scim = scimClient(rig.roster, rig.account.token);
    const id = (await scim.post('/Users', aUser('idle@acme.test')).expect(201)).body.id as string;
    await rig.roster.services.roles.assign(rig.account.operator, id, 'analyst');
    const auth = await authorization(product, { account: rig.account.accountId });
    const end = await signInThrough(new Browser(rig.url), idp, auth.url, 'idle@acme.test', () => ({
      now: clock.now(),
    }));
    const tokens = await exchange(product, end.url, auth);
    offset += 25 * 60 * 60_000;
    const endedAt = Date.now();
    const token = await receiver.next(before + 1, 10_000);
    expect(Date.now() - endedAt).toBeLessThan(7_000);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ sub: id, sid: tokens.claims()?.sid });
  } finally {
    stop();
  }
}, 20_000);
