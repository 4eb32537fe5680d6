/**
 * `npm run bench:events -- [--database-url mariadb://…] [--samples N] [--events N]`: webhooks.
 *   1. latency from a SCIM PATCH active=false (over HTTP) to the signed `user.deactivated` webhook
 *      arriving at a local receiver that verifies it with standardwebhooks, and for the same
 *      deactivations to the RISC account-disabled SET pushed (RFC 8935) to a Shared Signals push
 *      stream of the account, verified against the JWKS: p50, p99 of each (goal p99 < 2 s);
 *   2. sustained delivery rate: N events queued while the loop is stopped, then the time from
 *      starting it until the receiver has accepted all of them (fan-out, claims, signing, HTTP
 *      and outcomes included; goal >= 1,000 events/s on SQLite).
 * One process: the server, its delivery loop and the receiver share the machine.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/adapters/http/logger';
import type { Actor } from '../../src/domain/actor';
import { WebhookReceiver } from '../../test/support/webhook-receiver';
import { openBenchDatabase } from './database';
import { provisionUsers } from './event-load';
import { startFastReceiver } from './fast-receiver';
import { startSsfPushWatch } from './ssf-push-receiver';
import { summarize } from './stats';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a positive integer');
  return n;
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--database-url <url>', 'mariadb://… (default: a fresh SQLite file)')
    .option('--samples <n>', 'deactivations timed one after another', positive, 300)
    .option('--events <n>', 'events queued for the rate measurement', positive, 20_000)
    .parse()
    .opts<{ databaseUrl?: string; samples: number; events: number }>();
  const database = await openBenchDatabase(options.databaseUrl);
  // Listening before composing: PUBLIC_URL is the SSF issuer, whose JWKS the SET receiver fetches.
  const handler: { app?: RequestListener } = {};
  const server: Server = createServer((req, res) => handler.app!(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const roster = await compose(
    loadConfig({
      DATABASE_URL: database.url,
      PUBLIC_URL: base,
      LOG_LEVEL: 'silent',
      EVENTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      OIDC_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      OUTBOUND_ALLOW_PRIVATE: 'true',
      SCIM_DEACTIVATION_BRAKE_SHARE: '1',
      RATE_LIMIT_AUTH_FAILURES: '0',
      RATE_LIMIT_REQUESTS_PER_TOKEN: '0',
    }),
    { logger: createLogger('silent') },
  );
  handler.app = roster.app;
  const receiver = await WebhookReceiver.start();
  let ssf: Awaited<ReturnType<typeof startSsfPushWatch>> | undefined;
  try {
    const { account } = await roster.services.accounts.create('bench', {
      name: 'Bench',
      ownerEmail: 'owner@bench.example.test',
    });
    const actor: Actor = { kind: 'operator', accountId: account.id, operator: 'bench', channel: 'cli' };
    const { secret: token } = await roster.services.tokens.issue(actor, 'bench');

    // 1. Latency: PATCH active=false, one at a time, to the webhook's and the SET's arrival.
    const watched = await roster.services.webhooks.create(actor, 'account', {
      url: receiver.url,
      eventTypes: ['user.deactivated'],
    });
    receiver.secrets.push(watched.secret);
    ssf = await startSsfPushWatch(base, (await roster.services.apiKeys.issueService(actor)).secret);
    const users = await provisionUsers(roster, actor, 'latency', options.samples);
    roster.delivery.start();
    const latencies: number[] = [];
    const setLatencies: number[] = [];
    for (const id of users) {
      const started = Date.now();
      const res = await fetch(`${base}/scim/v2/Users/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
      });
      if (res.status !== 200) throw new Error(`PATCH answered ${res.status}: ${await res.text()}`);
      const [, setArrived] = await Promise.all([
        receiver.waitFor(() => receiver.received.some((r) => r.event.subject.id === id), 30_000),
        ssf.arrival(id, 30_000),
      ]);
      const arrived = receiver.received.find((r) => r.event.subject.id === id)!;
      latencies.push(arrived.at - started);
      setLatencies.push(setArrived - started);
    }
    const latency = summarize(latencies);
    const setLatency = summarize(setLatencies);

    // 2. Rate: queue N events with the loop stopped, then deliver them all.
    await roster.delivery.stop();
    const bulk = await roster.services.webhooks.create(actor, 'account', {
      url: 'http://127.0.0.1:9/replaced-below',
      eventTypes: ['user.created'],
    });
    const fast = await startFastReceiver(bulk.secret, options.events);
    await roster.services.webhooks.update(actor, 'account', bulk.endpoint.id, { url: fast.url });
    await provisionUsers(roster, actor, 'rate', options.events);
    const started = performance.now();
    roster.delivery.start();
    const { requests } = await fast.done;
    const seconds = (performance.now() - started) / 1000;
    await fast.stop();
    const rate = options.events / seconds;

    const report = {
      database: database.dialect,
      cpus: cpus().length,
      load: loadavg().map((l) => Math.round(l * 100) / 100),
      latencyMs: latency,
      latencyGoalMet: latency.p99 < 2_000,
      ssfPushLatencyMs: setLatency,
      ssfPushLatencyGoalMet: setLatency.p99 < 2_000,
      events: options.events,
      requests,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSecond: Math.round(rate),
      rateGoalMet: rate >= 1_000,
    };
    process.stdout.write(
      `Webhooks on ${database.description}, ${report.cpus} CPUs, load ${report.load.join(' ')}\n` +
        `  PATCH active=false -> webhook: n=${latency.n} p50=${latency.p50} ms p90=${latency.p90} ms ` +
        `p99=${latency.p99} ms max=${latency.max} ms (goal p99 < 2000 ms: ${report.latencyGoalMet ? 'met' : 'NOT met'})\n` +
        `  PATCH active=false -> SSF push (RISC account-disabled SET): n=${setLatency.n} p50=${setLatency.p50} ms ` +
        `p90=${setLatency.p90} ms p99=${setLatency.p99} ms max=${setLatency.max} ms ` +
        `(goal p99 < 2000 ms: ${report.ssfPushLatencyGoalMet ? 'met' : 'NOT met'})\n` +
        `  sustained delivery: ${options.events} events in ${report.seconds} s = ${report.eventsPerSecond}/s ` +
        `(goal >= 1000/s on SQLite: ${report.rateGoalMet ? 'met' : 'not met'})\n` +
        `${JSON.stringify(report)}\n`,
    );
  } finally {
    await roster.delivery.stop();
    await receiver.stop();
    await ssf?.stop();
    server.close();
    await roster.close();
    await database.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
