import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import { chromium, type BrowserContext } from 'playwright-core';
import { aUser, patchOp, scimClient } from '../support/roster';
import { IdpServer } from '../support/idp-server';
import { ProductApp } from '../support/product-app';
import { startHandOffRoster, type HandOffRig } from '../support/oidc-flow';

/**
 * A product signs its users in through Roster, in a real browser (Debian's chromium, headless): the
 * product sends the browser to Roster, Roster to the account's IdP, back through Roster's MFA
 * step-up, and the product shows who signed in. Roster is the only OpenID Provider the product knows.
 */
const chromiumPath = '/usr/bin/chromium';

let rig: HandOffRig;
let idp: IdpServer;
let product: ProductApp;
let browser: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Debian's chromium is missing at ${chromiumPath}: apt-get install -y chromium (.ci/run does this)`,
    );
  }
  rig = await startHandOffRoster();
  idp = await IdpServer.start((acsUrl) => acsUrl.replace(/\/acs$/, '/metadata'));
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.idp.metadataXml() });
  await rig.roster.services.mfa.set(rig.account.operator, { roleKeys: ['admin'], allowTotpStepUp: true });
  await rig.roster.services.domains.claim(rig.account.operator, 'product.test');
  product = await ProductApp.start(`${rig.url}/oidc`, async (redirectUri, backchannelUri) => {
    const { client, secret } = await rig.roster.services.clients.register('test', {
      name: 'The product',
      redirectUris: [redirectUri],
      backchannelLogoutUri: backchannelUri,
    });
    return { clientId: client.id, secret };
  });
  profileDir = mkdtempSync(join(tmpdir(), 'roster-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await product?.stop();
  await idp?.stop();
  await rig?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

let counter = 0;
async function person(role: string, active = true): Promise<{ id: string; userName: string }> {
  counter += 1;
  const userName = `person${counter}@product.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const created = await scim
    .post('/Users', aUser(userName, { displayName: `Person ${counter}` }))
    .expect(201);
  await rig.roster.services.roles.assign(rig.account.operator, created.body.id, role);
  if (!active)
    await scim
      .patch(`/Users/${created.body.id}`, patchOp({ op: 'replace', path: 'active', value: false }))
      .expect(200);
  return { id: created.body.id as string, userName };
}

async function signInAtProduct(userName: string) {
  idp.next = { nameId: userName };
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${product.url}/login?email=${encodeURIComponent(userName)}`);
  await page.waitForLoadState('load');
  await page.locator('h1').first().waitFor();
  return page;
}

test('an Admin signs in to the product through Roster, the IdP and the TOTP step-up; the product shows user, role and amr', async () => {
  const admin = await person('admin');
  const page = await signInAtProduct(admin.userName);
  await page.getByText('Set up your authenticator app').waitFor();
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await page.getByLabel('Code').fill(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) }));
  await page.getByRole('button', { name: 'Verify' }).click();
  // First enrolment: the backup codes are shown once, then the person goes on to the product.
  await page.getByText('Your backup codes').waitFor();
  await page.getByRole('link', { name: /continue/i }).click();
  await page.locator('#role').waitFor();
  expect(page.url().startsWith(product.url)).toBe(true);
  expect(await page.locator('#name').innerText()).toBe('Person 1');
  expect(await page.locator('#role').innerText()).toBe('Admin');
  expect(await page.locator('#amr').innerText()).toBe('otp mfa');
  await page.close();
});

test('a deactivated user gets access_denied at the product, with the reason', async () => {
  const leaver = await person('analyst', false);
  const page = await signInAtProduct(leaver.userName);
  await page.locator('#error').waitFor();
  expect(page.url().startsWith(`${product.url}/callback`)).toBe(true);
  expect(await page.locator('#error').innerText()).toBe('access_denied');
  expect(await page.locator('body').innerText()).toContain('The user is deactivated');
  await page.close();
});

test('deprovisioning over SCIM: the product receives a logout token it verifies, and its session ends', async () => {
  const analyst = await person('analyst');
  const page = await signInAtProduct(analyst.userName);
  await page.locator('#role').waitFor();
  expect(await page.locator('#amr').innerText()).toBe('pwd');
  expect([...product.sessions.values()].some((s) => s.sub === analyst.id)).toBe(true);
  const scim = scimClient(rig.roster, rig.account.token);
  await scim
    .patch(`/Users/${analyst.id}`, patchOp({ op: 'replace', path: 'active', value: false }))
    .expect(200);
  const until = Date.now() + 5_000;
  while (!product.logoutTokens.some((t) => t.sub === analyst.id) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(product.logoutTokens.some((t) => t.sub === analyst.id)).toBe(true);
  expect([...product.sessions.values()].some((s) => s.sub === analyst.id)).toBe(false);
  await page.reload();
  expect(await page.locator('body').innerText()).toContain('Not signed in');
  await page.close();
});
