import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  aUser,
  createAccount,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { freePort, IdpServer } from '../support/idp-server';

/**
 * The whole SP-initiated sign-in in a real browser: Debian's chromium,
 * headless, against the test IdP served on localhost. Chromium comes from Debian's package
 * (.ci/run installs it); this test never downloads a browser, and fails (not skips) without one.
 */
const chromiumPath = '/usr/bin/chromium';

let roster: TestRoster;
let server: Server;
let idp: IdpServer;
let browser: BrowserContext;
let profileDir: string;
let rosterUrl: string;
let account: TestAccount;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Debian's chromium is missing at ${chromiumPath}: install it with \`apt-get install -y chromium\` ` +
        '(.ci/run does this before npm ci). The browser test never downloads a browser.',
    );
  }
  const port = await freePort();
  rosterUrl = `http://localhost:${port}`;
  roster = await startRoster({ PUBLIC_URL: rosterUrl, MFA_TOTP_KEY: randomBytes(32).toString('base64') });
  server = roster.app.listen(port, 'localhost');
  idp = await IdpServer.start((acsUrl) => acsUrl.replace(/\/acs$/, '/metadata'));
  account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.idp.metadataXml() });
  await roster.services.mfa.set(account.operator, { roleKeys: ['admin'], allowTotpStepUp: true });
  profileDir = mkdtempSync(join(tmpdir(), 'roster-chromium-'));
  // A fresh profile directory (playwright passes it as --user-data-dir).
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
  await idp?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await roster?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

let counter = 0;
async function person(role: string, active = true): Promise<string> {
  counter += 1;
  const userName = `browser${counter}@example.test`;
  const scim = scimClient(roster, account.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await roster.services.roles.assign(account.operator, id, role);
  if (!active)
    await scim
      .patch(`/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      })
      .expect(200);
  return userName;
}

/** Opens Roster's sign-in link in a fresh browser context; the IdP signs in `userName`. */
async function signIn(userName: string): Promise<Page> {
  idp.next = { nameId: userName };
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${rosterUrl}/sso/${account.accountId}/login`);
  await page.waitForLoadState('load');
  await page.locator('h1').first().waitFor();
  return page;
}

async function visibleText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

test('an SP-initiated sign-in lands on a page showing the user and their role', async () => {
  const userName = await person('analyst');
  const page = await signIn(userName);
  await page.getByText(userName, { exact: true }).waitFor();
  expect(await visibleText(page)).toMatch(new RegExp(`${userName.replace('.', '\\.')}[\\s\\S]*Analyst`));
  await page.close();
});

test('a deactivated user is refused, with words a person understands', async () => {
  const userName = await person('analyst', false);
  const page = await signIn(userName);
  const text = await visibleText(page);
  expect(text).toMatch(/Sign-in refused/);
  expect(text).toMatch(/deactivated/);
  expect(text).not.toContain('Analyst');
  await page.close();
});

test('MFA required and the IdP did not do it: enrol in the TOTP step-up, then type the code', async () => {
  const userName = await person('admin');
  const page = await signIn(userName);
  expect(await visibleText(page)).toMatch(/Set up your authenticator app/);
  const qr = await page.locator('#totp-qr svg').boundingBox();
  expect(qr?.width).toBeGreaterThan(80); // drawn large enough to scan
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await page.getByLabel('Code').fill(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) }));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('Your backup codes').waitFor();
  const text = await visibleText(page);
  expect(text).toContain(userName);
  expect(text).toContain('Admin');
  await page.close();
});
