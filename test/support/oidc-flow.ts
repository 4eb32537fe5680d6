import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import * as client from 'openid-client';
import type { TestIdp } from './test-idp';
import { freePort } from './idp-server';
import type { ComposeOverrides } from '../../src/composition';
import { startRoster, createAccount, type TestAccount, type TestRoster } from './roster';

/** A browser's cookies, by name (enough for one origin; paths are not modelled). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = /max-age=0|expires=Thu, 01 Jan 1970/i.test(line);
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }
}

/**
 * A browser without a browser: follows Roster's redirects with its cookies, and stops at the first
 * location outside Roster (the IdP, the product's redirect_uri), which it returns.
 */
export class Browser {
  readonly jar = new CookieJar();
  /** Where each request really goes (a test may send some to another instance). */
  rewrite: (url: string) => string = (url) => url;

  constructor(private readonly rosterUrl: string) {}

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<BrowserStop> {
    let next: string = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const response = await fetch(this.rewrite(next), {
        method,
        body,
        redirect: 'manual',
        headers: {
          cookie: this.jar.header(),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      this.jar.take(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url: next, status: response.status, text: await response.text() };
      }
      next = new URL(location, next).toString();
      method = 'GET';
      body = undefined;
      if (!next.startsWith(this.rosterUrl)) return { url: next, status: response.status, text: '' };
    }
    throw new Error('too many redirects');
  }
}

export interface BrowserStop {
  url: string;
  status: number;
  text: string;
}

/** A product registered with Roster: its openid-client configuration and what it needs per login. */
export interface Product {
  clientId: string;
  secret: string;
  redirectUri: string;
  config: client.Configuration;
}

export interface HandOffRig {
  roster: TestRoster;
  server: Server;
  url: string;
  account: TestAccount;
  stop(): Promise<void>;
}

export const oidcKey = () => randomBytes(32).toString('base64');

/** Roster listening on localhost with the hand-off on (openid-client talks real HTTP to it). */
export async function startHandOffRoster(
  env: Record<string, string> = {},
  overrides: ComposeOverrides = {},
): Promise<HandOffRig> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const roster = await startRoster(
    {
      PUBLIC_URL: url,
      OIDC_KEY_ENCRYPTION_KEY: oidcKey(),
      MFA_TOTP_KEY: oidcKey(),
      ...env,
    },
    overrides,
  );
  const server = roster.app.listen(port, 'localhost');
  const account = await createAccount(roster);
  return {
    roster,
    server,
    url,
    account,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await roster.backchannel?.settled();
      await roster.stop();
    },
  };
}

export async function registerProduct(
  rig: { roster: TestRoster; url: string },
  options: { redirectUri?: string; backchannelLogoutUri?: string; postLogoutRedirectUri?: string } = {},
): Promise<Product> {
  const redirectUri = options.redirectUri ?? 'http://localhost:9/callback';
  const { client: registered, secret } = await rig.roster.services.clients.register('test', {
    name: 'Product',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: options.postLogoutRedirectUri ? [options.postLogoutRedirectUri] : [],
    backchannelLogoutUri: options.backchannelLogoutUri ?? null,
  });
  const config = await client.discovery(
    new URL(`${rig.url}/oidc`),
    registered.id,
    undefined,
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
  return { clientId: registered.id, secret, redirectUri, config };
}

export interface Authorization {
  url: string;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorization(
  product: Product,
  params: Record<string, string> = {},
): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(product.config, {
    redirect_uri: product.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url: url.toString(), verifier, state, nonce };
}

/**
 * Runs the browser from the product's authorization URL through Roster and the IdP: the IdP signs in
 * `nameId` (or answers as `respond` says). Returns where the browser ended (the product's
 * redirect_uri with a code or an error, or a Roster page).
 */
export async function signInThrough(
  browser: Browser,
  idp: TestIdp,
  start: string,
  nameId: string,
  respond: (
    request: ReturnType<TestIdp['readRequest']>,
  ) => Partial<Parameters<TestIdp['response']>[0]> = () => ({}),
): Promise<BrowserStop> {
  const atIdp = await browser.go(start);
  if (!atIdp.url.startsWith(idp.ssoUrl)) return atIdp;
  const request = idp.readRequest(atIdp.url);
  const audience = request.acsUrl.replace(/\/acs$/, '/metadata');
  const samlResponse = idp.response({
    nameId,
    acsUrl: request.acsUrl,
    audience,
    inResponseTo: request.id,
    now: Date.now(),
    ...respond(request),
  });
  return browser.go(request.acsUrl, {
    method: 'POST',
    form: { SAMLResponse: samlResponse, ...(request.relayState ? { RelayState: request.relayState } : {}) },
  });
}

/** The product's side of the callback: code for tokens, checked as openid-client checks them. */
export async function exchange(product: Product, callbackUrl: string, auth: Authorization) {
  return client.authorizationCodeGrant(product.config, new URL(callbackUrl), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
    idTokenExpected: true,
  });
}
