import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { freePort } from './idp-server';

/**
 * A tiny product, as its engineers would write it with a standard OIDC client (openid-client) and no
 * Roster-specific code: /login sends the browser to Roster, /callback exchanges the code, / shows
 * who is signed in, /backchannel takes Roster's logout tokens (verified against Roster's JWKS).
 */
export interface ProductSession {
  sub: string;
  name: string;
  role: string;
  amr: string[];
  sid: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;

export class ProductApp {
  readonly sessions = new Map<string, ProductSession>();
  readonly logoutTokens: Record<string, unknown>[] = [];

  private constructor(
    readonly url: string,
    private readonly server: Server,
  ) {}

  static async start(
    issuer: string,
    register: (redirectUri: string, backchannelUri: string) => Promise<{ clientId: string; secret: string }>,
  ): Promise<ProductApp> {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const { clientId, secret } = await register(`${url}/callback`, `${url}/backchannel`);
    const config = await client.discovery(
      new URL(issuer),
      clientId,
      undefined,
      client.ClientSecretBasic(secret),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    const pending = new Map<string, { verifier: string; state: string; nonce: string }>();
    const app = express();
    let self: ProductApp | null = null;
    const cookie = (req: express.Request, name: string) =>
      (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .find(([n]) => n === name)?.[1];

    app.get('/', (req, res) => {
      const session = self?.sessions.get(cookie(req, 'product_session') ?? '');
      if (!session)
        return void res.send(page('Product', '<p>Not signed in.</p><a href="/login">Sign in</a>'));
      res.send(
        page(
          'Product',
          `<p>Signed in as <span id="name">${escape(session.name)}</span></p>` +
            `<p>Role: <span id="role">${escape(session.role)}</span></p><p>MFA: <span id="amr">${escape(session.amr.join(' '))}</span></p>`,
        ),
      );
    });

    app.get('/login', async (req, res) => {
      const key = randomBytes(16).toString('hex');
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      pending.set(key, { verifier, state, nonce });
      const to = client.buildAuthorizationUrl(config, {
        redirect_uri: `${url}/callback`,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        login_hint: String(req.query.email ?? ''),
      });
      res.setHeader('set-cookie', `product_login=${key}; Path=/; HttpOnly; SameSite=Lax`);
      res.redirect(303, to.toString());
    });

    app.get('/callback', async (req, res) => {
      const login = pending.get(cookie(req, 'product_login') ?? '');
      const callback = new URL(req.originalUrl, url);
      if (!login || callback.searchParams.has('error')) {
        const why = callback.searchParams.get('error_description') ?? 'no sign-in in progress';
        return void res
          .status(403)
          .send(
            page(
              'Sign-in refused',
              `<p id="error">${escape(callback.searchParams.get('error') ?? '')}</p><p>${escape(why)}</p>`,
            ),
          );
      }
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
      });
      const claims: Record<string, unknown> = tokens.claims() ?? { sub: '' };
      const key = randomBytes(16).toString('hex');
      self?.sessions.set(key, {
        sub: String(claims.sub),
        name: String(claims.name ?? claims.email ?? claims.sub),
        role: String(claims.role_name ?? ''),
        amr: (claims.amr as string[] | undefined) ?? [],
        sid: String(claims.sid ?? ''),
      });
      res.setHeader('set-cookie', `product_session=${key}; Path=/; HttpOnly; SameSite=Lax`);
      res.redirect(303, '/');
    });

    app.post('/backchannel', express.urlencoded({ extended: false }), async (req, res) => {
      try {
        const { payload } = await jwtVerify(String(req.body?.logout_token ?? ''), jwks, {
          issuer,
          audience: clientId,
          typ: 'logout+jwt',
        });
        self?.logoutTokens.push(payload);
        for (const [key, session] of self?.sessions ?? []) {
          if (session.sid === payload.sid && session.sub === payload.sub) self?.sessions.delete(key);
        }
        res.status(200).end();
      } catch {
        res.status(400).end();
      }
    });

    const server = app.listen(port, 'localhost');
    self = new ProductApp(url, server);
    return self;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
