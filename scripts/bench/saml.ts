/**
 * `npm run bench:saml -- [--responses N]`: signed SAML responses validated per second.
 *   1. in process: what the ACS does to one response before it looks anyone up (Roster's
 *      precheck, node-saml's signature, audience and issuer checks, Roster's time and recipient
 *      checks, the MFA evidence), one core, no database;
 *   2. through the real app: POST /sso/:account/acs on a listening server with SQLite, which adds
 *      the replay check, the user lookup, the MFA decision and the audit event per login.
 * Responses are signed beforehand by the test IdP (RSA 2048, rsa-sha256, response and assertion
 * signed, as Okta does), so only validation is timed. Prints a report and one JSON line.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { SAML } from '@node-saml/passport-saml';
import { createLogger } from '../../src/adapters/http/logger';
import { mfaEvidenceOf } from '../../src/adapters/saml/mfa-evidence';
import { checkAssertion, isRefusal, precheckResponse } from '../../src/adapters/saml/response-checks';
import { samlOptions, spEndpoints } from '../../src/adapters/saml/saml-options';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import type { Actor } from '../../src/domain/actor';
import type { AccountId } from '../../src/domain/ids';
import { TestIdp } from '../../test/support/test-idp';

const publicUrl = 'http://localhost';
const round = (n: number) => Math.round(n);

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a positive integer');
  return n;
}

async function inProcess(idp: TestIdp, count: number): Promise<number> {
  const sp = spEndpoints(publicUrl, '00000000-0000-4000-8000-000000000000');
  const config = {
    accountId: '00000000-0000-4000-8000-000000000000' as AccountId,
    idpEntityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    certificates: [{ fingerprint: '', pem: idp.cert, subject: '', notBefore: 0, notAfter: 0 }],
    idpInitiated: true,
    logoutUrl: null,
    wantAuthnRequestsSigned: false,
    sessionIdleMinutes: null,
    sessionAbsoluteMinutes: null,
    updated: 0,
  };
  const noCache = {
    saveAsync: async () => null,
    getAsync: async () => null,
    removeAsync: async () => null,
  };
  const saml = new SAML(samlOptions(config, sp, noCache));
  const now = Date.now();
  const responses = Array.from({ length: count }, (_, i) =>
    idp.response({ nameId: `user${i}@example.test`, acsUrl: sp.acsUrl, audience: sp.entityId, now }),
  );
  const started = performance.now();
  for (const encoded of responses) {
    if (isRefusal(precheckResponse(Buffer.from(encoded, 'base64').toString('utf8'), sp.acsUrl))) {
      throw new Error('precheck refused a good response');
    }
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: encoded });
    const xml = profile?.getAssertionXml?.() ?? '';
    if (isRefusal(checkAssertion(xml, sp.acsUrl, now, 60_000))) throw new Error('assertion refused');
    mfaEvidenceOf(xml);
  }
  return count / ((performance.now() - started) / 1000);
}

async function throughApp(idp: TestIdp, count: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-saml-'));
  const probe = (await import('node:http')).createServer();
  probe.listen(0, 'localhost');
  await once(probe, 'listening');
  const port = (probe.address() as AddressInfo).port;
  probe.close();
  const url = `http://localhost:${port}`;
  const roster = await compose(
    loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`, PUBLIC_URL: url, LOG_LEVEL: 'silent' }),
    { logger: createLogger('silent') },
  );
  try {
    const created = await roster.services.accounts.create('bench', {
      name: 'Bench',
      ownerEmail: 'owner@example.test',
    });
    const accountId = created.account.id;
    const operator: Actor = { kind: 'operator', accountId, operator: 'bench', channel: 'cli' };
    await roster.services.sso.configure(operator, { metadataXml: idp.metadataXml() });
    const server = roster.app.listen(port, 'localhost');
    await once(server, 'listening');
    const sp = spEndpoints(url, accountId);
    const now = Date.now();
    const bodies = Array.from({ length: count }, () =>
      new URLSearchParams({
        SAMLResponse: idp.response({
          nameId: 'owner@example.test',
          acsUrl: sp.acsUrl,
          audience: sp.entityId,
          now,
        }),
      }).toString(),
    );
    const started = performance.now();
    for (const body of bodies) {
      const res = await fetch(sp.acsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (res.status !== 200) throw new Error(`ACS answered ${res.status}: ${await res.text()}`);
    }
    const perSecond = count / ((performance.now() - started) / 1000);
    server.close();
    return perSecond;
  } finally {
    await roster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = new Command('bench:saml')
    .option('--responses <n>', 'responses validated in each step', positive, 2000)
    .parse()
    .opts<{ responses: number }>();
  const idp = await TestIdp.start('bench');
  const validations = await inProcess(idp, options.responses);
  const logins = await throughApp(idp, Math.min(options.responses, 1000));
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}`);
  console.log(`Signed-response validations, in process (one core):  ${round(validations)}/s`);
  console.log(`IdP-initiated logins through POST /sso/:id/acs (SQLite): ${round(logins)}/s`);
  console.log(
    JSON.stringify({ samlValidationsPerSecond: round(validations), acsLoginsPerSecond: round(logins) }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
