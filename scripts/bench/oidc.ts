/**
 * `npm run bench:oidc -- [--users N] [--seconds S]`: the sign-in hand-off (OpenID Provider).
 *   1. code-to-token exchanges per second (POST /oidc/token, client_secret_basic, PKCE), as a ratio
 *      of a bare express 5 POST route that parses the same form and answers a JSON of the same size;
 *   2. userinfo per second (GET /oidc/me with a bearer token), as a ratio of a bare express GET route
 *      that reads the bearer and answers the same JSON;
 *   3. time from a SCIM deactivation (PATCH active=false) to the product's back-channel endpoint
 *      receiving the logout token: p50, p99 (goal p99 < 2 s).
 * One process on SQLite, clients in the same process (both sides of each ratio pay for them alike).
 * Prints a report, the load average, and one JSON line.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import express from 'express';
import { compose, type Roster } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/adapters/http/logger';
import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import { TestIdp } from '../../test/support/test-idp';
import { authorization, Browser, signInThrough, type Product } from '../../test/support/oidc-flow';
import { percentile, round } from './stats';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a positive integer');
  return n;
}

async function listen(
  handler: http.RequestListener | express.Express,
): Promise<{ port: number; server: http.Server }> {
  const server = createServer(handler as http.RequestListener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** `concurrency` keep-alive clients send each call once; returns calls per second and the statuses. */
async function drive(port: number, calls: readonly Call[], concurrency: number, expect: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let errors = 0;
  let firstError = '';
  const started = performance.now();
  const client = async () => {
    while (next < calls.length) {
      const call = calls[next++];
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: call.method, path: call.path, agent, headers: call.headers },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(call.body);
      });
      if (status !== expect) {
        errors++;
        firstError ||= `${call.method} ${call.path} answered ${status}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (errors > 0) throw new Error(`${errors} of ${calls.length} failed; first: ${firstError}`);
  return calls.length / seconds;
}

interface SignedIn {
  code: string;
  verifier: string;
  userId: string;
}

async function main(): Promise<void> {
  const options = new Command('bench:oidc')
    .option('--users <n>', 'people signed in (codes exchanged, deactivations timed)', positive, 300)
    .option('--seconds <s>', 'how long userinfo is driven', positive, 5)
    .parse()
    .opts<{ users: number; seconds: number }>();
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-oidc-'));
  const probe = await listen(() => undefined);
  const port = probe.port;
  probe.server.close();
  const url = `http://127.0.0.1:${port}`;
  const roster: Roster = await compose(
    loadConfig({
      DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
      PUBLIC_URL: url,
      LOG_LEVEL: 'silent',
      OIDC_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SCIM_DEACTIVATION_BRAKE_SHARE: '1',
    }),
    { logger: createLogger('silent') },
  );
  const backchannelArrivals = new Map<string, number>();
  const receiver = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      const sub = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}')
        .sub as string;
      backchannelArrivals.set(sub, performance.now());
      res.writeHead(200).end();
    });
  });
  try {
    const server = roster.app.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const idp = await TestIdp.start('bench');
    const { account } = await roster.services.accounts.create('bench', {
      name: 'Bench',
      ownerEmail: 'owner@bench.test',
    });
    const operator: Actor = { kind: 'operator', accountId: account.id, operator: 'bench', channel: 'cli' };
    await roster.services.sso.configure(operator, { metadataXml: idp.metadataXml() });
    const { client: registered, secret } = await roster.services.clients.register('bench', {
      name: 'Bench product',
      redirectUris: ['http://127.0.0.1:9/callback'],
      backchannelLogoutUri: `http://127.0.0.1:${receiver.port}/backchannel`,
    });
    const openid = await import('openid-client');
    const config = await openid.discovery(
      new URL(`${url}/oidc`),
      registered.id,
      undefined,
      openid.ClientSecretBasic(secret),
      {
        execute: [openid.allowInsecureRequests],
      },
    );
    const product: Product = {
      clientId: registered.id,
      secret,
      redirectUri: 'http://127.0.0.1:9/callback',
      config,
    };
    const basic = `Basic ${Buffer.from(`${registered.id}:${secret}`).toString('base64')}`;

    const signIn = async (i: number): Promise<SignedIn> => {
      const userName = `user${i}@bench.test`;
      const {
        view: { user },
      } = await roster.services.users.provision(operator, {
        userName,
        externalId: null,
        active: true,
        displayName: null,
        givenName: null,
        familyName: null,
        employeeNumber: null,
        managerId: null,
        emails: [{ value: userName, primary: true, type: 'work' }],
        profile: {},
      });
      await roster.services.roles.assign(operator, user.id, 'analyst');
      const auth = await authorization(product, { account: account.id });
      const end = await signInThrough(new Browser(url), idp, auth.url, userName);
      const code = new URL(end.url).searchParams.get('code');
      if (!code) throw new Error(`no code: ${end.url} ${end.text.slice(0, 200)}`);
      return { code, verifier: auth.verifier, userId: user.id };
    };

    // Codes live 60 s: sign people in, then exchange at once.
    const signedIn: SignedIn[] = [];
    const signInStarted = performance.now();
    for (let i = 0; i < options.users; i++) signedIn.push(await signIn(i));
    const signInsPerSecond = options.users / ((performance.now() - signInStarted) / 1000);
    const tokenCalls: Call[] = signedIn.map((s) => ({
      method: 'POST',
      path: '/oidc/token',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: s.code,
        redirect_uri: product.redirectUri,
        code_verifier: s.verifier,
      }).toString(),
    }));
    const accessTokens: string[] = [];
    const tokenPerSecond = await drive(port, tokenCalls, 8, 200);
    // Access tokens for userinfo: exchange a few more sign-ins with openid-client.
    for (let i = 0; i < 4; i++) {
      const s = await signIn(options.users + i);
      const auth = { verifier: s.verifier };
      const answer = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: s.code,
          redirect_uri: product.redirectUri,
          code_verifier: auth.verifier,
        }),
      });
      accessTokens.push(((await answer.json()) as { access_token: string }).access_token);
    }

    const sampleToken = await (
      await fetch(`${url}/oidc/me`, { headers: { authorization: `Bearer ${accessTokens[0]}` } })
    ).text();
    const bareApp = express();
    bareApp.post('/bare/token', express.urlencoded({ extended: false }), (req, res) => {
      res.json({
        access_token: randomBytes(32).toString('base64url'),
        id_token: 'x'.repeat(900),
        code: req.body?.code,
      });
    });
    bareApp.get('/bare/me', (req, res) => {
      if (!req.headers.authorization?.startsWith('Bearer ')) return void res.status(401).end();
      res.type('json').send(sampleToken);
    });
    const bare = await listen(bareApp);
    const bareTokenPerSecond = await drive(
      bare.port,
      tokenCalls.map((c) => ({ ...c, path: '/bare/token' })),
      8,
      200,
    );
    const userinfoCalls = (n: number, path: string) =>
      Array.from({ length: n }, (_, i) => ({
        method: 'GET',
        path,
        headers: { authorization: `Bearer ${accessTokens[i % accessTokens.length]}` },
      }));
    const probeRate = await drive(port, userinfoCalls(200, '/oidc/me'), 8, 200);
    const userinfoCount = Math.max(200, Math.round(probeRate * options.seconds));
    const userinfoPerSecond = await drive(port, userinfoCalls(userinfoCount, '/oidc/me'), 8, 200);
    const bareUserinfoPerSecond = await drive(bare.port, userinfoCalls(userinfoCount, '/bare/me'), 8, 200);
    bare.server.close();

    // Deactivations, one at a time, each timed until its logout token arrives.
    const latencies: number[] = [];
    const scimToken = (await roster.services.tokens.issue(operator, 'bench')).secret;
    for (const person of signedIn.slice(0, Math.min(100, signedIn.length))) {
      const started = performance.now();
      const res = await fetch(`${url}/scim/v2/Users/${person.userId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        }),
      });
      if (res.status !== 200) throw new Error(`SCIM answered ${res.status}`);
      const until = performance.now() + 10_000;
      while (!backchannelArrivals.has(person.userId as UserId) && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const arrived = backchannelArrivals.get(person.userId);
      latencies.push(arrived === undefined ? Infinity : arrived - started);
    }
    server.close();

    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const figures = {
      signInsPerSecond: round(signInsPerSecond, 1),
      tokenPerSecond: round(tokenPerSecond, 1),
      bareTokenPerSecond: round(bareTokenPerSecond, 1),
      tokenRatio: round(tokenPerSecond / bareTokenPerSecond, 3),
      userinfoPerSecond: round(userinfoPerSecond, 1),
      bareUserinfoPerSecond: round(bareUserinfoPerSecond, 1),
      userinfoRatio: round(userinfoPerSecond / bareUserinfoPerSecond, 3),
      backchannelP50Ms: round(percentile(latencies, 50), 1),
      backchannelP99Ms: round(percentile(latencies, 99), 1),
      backchannelMaxMs: round(percentile(latencies, 100), 1),
      deactivations: latencies.length,
      loadAverage: load,
    };
    console.log(
      `CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}, load average ${load}`,
    );
    console.log(`Whole sign-ins (authorize → SAML → code), one at a time: ${figures.signInsPerSecond}/s`);
    console.log(
      `Code → token exchanges: ${figures.tokenPerSecond}/s; bare express ${figures.bareTokenPerSecond}/s; ratio ${figures.tokenRatio}`,
    );
    console.log(
      `userinfo: ${figures.userinfoPerSecond}/s; bare express ${figures.bareUserinfoPerSecond}/s; ratio ${figures.userinfoRatio}`,
    );
    console.log(
      `SCIM deactivation → back-channel logout received (${latencies.length}): p50 ${figures.backchannelP50Ms} ms, ` +
        `p99 ${figures.backchannelP99Ms} ms, max ${figures.backchannelMaxMs} ms (goal p99 < 2000 ms: ${figures.backchannelP99Ms < 2000 ? 'met' : 'NOT met'})`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    receiver.server.close();
    await roster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
