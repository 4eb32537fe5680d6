/**
 * `npm run bench:page -- [--database-url URL] [--seconds N] [--only users,byId,filter,authorize]`:
 * the server's CPU per request for the figures of steps 1a-1c and 1e (a page of 100 users, GET by
 * id, the userName filter, POST /api/v1/authorize) against the bare express ceiling, without the
 * rest of the bench. On a
 * shared machine CPU per request is the steadier figure; the throughput ratio is printed too.
 * Run it under `node --cpu-prof` to see where a page's time goes (docs/benchmarks.md).
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import express from 'express';
import pino from 'pino';
import type { Roster } from '../../src/composition';
import { benchRoster, makeAnalysts, seedAccount, seedGroups, shuffledSample } from './accounts';
import { openBenchDatabase } from './database';
import { databaseCpu } from './database-cpu';
import { LoadGenerator } from './load-client';
import { filterPath } from './scale-steps';
import { checkClean, reportPairs, say, throughputPairs, type Job } from './throughput';

interface Options {
  databaseUrl?: string;
  seconds: number;
  concurrency: number;
  only: string;
  profile?: string;
}

function parseOptions(argv: string[]): Options {
  const positive = (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 600) throw new InvalidArgumentError('must be 1..600');
    return n;
  };
  return new Command()
    .name('bench:page')
    .option('--database-url <url>', 'mariadb://root@127.0.0.1:3306/<new db> (default: a fresh SQLite file)')
    .option('--seconds <n>', 'length of each round', positive, 4)
    .option('--concurrency <n>', 'keep-alive connections', positive, 16)
    .option('--only <list>', 'figures to take: users, byId, filter, authorize', 'users,byId,filter,authorize')
    .option(
      '--profile <file>',
      'instead of pairs, profile Roster alone: writes <file>.<figure>.cpuprofile (Chrome DevTools)',
    )
    .parse(argv)
    .opts<Options>();
}

async function listen(app: express.Express): Promise<{ server: Server; port: number }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Starts the V8 profiler in this process; the returned function stops it and gives the profile. */
async function startProfile(): Promise<() => Promise<object>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<{ profile?: object }>((resolve, reject) =>
      session.post(method, params, (err, result) =>
        err ? reject(err) : resolve(result as { profile?: object }),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    return profile ?? {};
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const only = new Set(options.only.split(','));
  const db = await openBenchDatabase(options.databaseUrl);
  const watchDatabase = db.dialect === 'sqlite' ? undefined : databaseCpu();
  const destination = pino.destination({ dest: join(db.dir, 'requests.log'), sync: false });
  let roster: Roster | undefined;
  let loader: LoadGenerator | undefined;
  const servers: Server[] = [];
  try {
    roster = await benchRoster(db.url, destination);
    const read = await seedAccount(roster, 'read', 10_000);
    // Analysts, as run.ts makes them, so that authorize answers are about users with a role.
    await makeAnalysts(roster, read);
    const serviceKey = (await roster.services.apiKeys.issueService(read.operator)).secret;
    const page = await seedAccount(roster, 'page', 2_000);
    await seedGroups(roster, page, 20, 2);
    const app = await listen(roster.app);
    servers.push(app.server);
    const bareApp = express();
    bareApp.get('/bare/:id', (req, res) => res.json({ id: req.params.id }));
    bareApp.post('/bare/authorize', express.json(), (req, res) =>
      res.json({ allowed: true, role: 'analyst', reason: 'granted_by_role', user: req.body.user }),
    );
    const bare = await listen(bareApp);
    servers.push(bare.server);
    loader = new LoadGenerator();
    const ids = shuffledSample(read.users.ids, 10_000);
    const bareJob: Job = {
      port: bare.port,
      paths: ids.map((id) => `/bare/${id}`),
      headers: {},
      concurrency: options.concurrency,
      expectStatus: 200,
    };
    const job = (token: string, paths: string[]): Job => ({
      port: app.port,
      paths,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/scim+json' },
      concurrency: options.concurrency,
      expectStatus: 200,
    });
    const pagePaths = Array.from(
      { length: 20 },
      (_, i) => `/scim/v2/Users?count=100&startIndex=${1 + 100 * i}`,
    );
    checkClean(
      'page check',
      await loader.sequence({
        ...job(page.token, []),
        requests: [{ method: 'GET', path: pagePaths[0] }],
        expectBody: '"itemsPerPage":100',
      }),
    );
    const asked = ['flows.view', 'metrics.edit', 'campaigns.send', 'plan.change'];
    const authorize: Job = {
      port: app.port,
      method: 'POST',
      paths: ['/api/v1/authorize'],
      bodies: ids.slice(0, 5_000).map((user, i) => JSON.stringify({ user, permission: asked[i % 4] })),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serviceKey}` },
      concurrency: options.concurrency,
      expectStatus: 200,
    };
    const figures: [string, Job, Job?][] = [
      ['users', job(page.token, pagePaths)],
      [
        'byId',
        job(
          read.token,
          ids.map((id) => `/scim/v2/Users/${id}`),
        ),
      ],
      [
        'filter',
        job(
          read.token,
          Array.from({ length: 5_000 }, (_, i) => filterPath(read, i)),
        ),
      ],
      [
        'authorize',
        authorize,
        {
          ...authorize,
          port: bare.port,
          paths: ['/bare/authorize'],
          headers: { 'Content-Type': 'application/json' },
        },
      ],
    ];
    say(`${db.description}; ${options.concurrency} connections, ${options.seconds} s rounds`);
    for (const [name, rosterJob, bareOfIt] of figures) {
      if (!only.has(name)) continue;
      say(`\n${name}`);
      if (options.profile) {
        // Roster alone, after a warm-up: the profile shows one app, not two.
        await loader.throughput({ ...rosterJob, durationMs: 2_000 });
        const stop = await startProfile();
        const cpu = process.cpuUsage();
        const result = await loader.throughput({ ...rosterJob, durationMs: options.seconds * 1000 });
        const used = process.cpuUsage(cpu);
        writeFileSync(`${options.profile}.${name}.cpuprofile`, JSON.stringify(await stop()));
        say(
          `   ${result.requests} requests, ${((used.user + used.system) / result.requests).toFixed(0)} µs of CPU each (profiling)`,
        );
      } else
        reportPairs(
          await throughputPairs(loader, bareOfIt ?? bareJob, rosterJob, options.seconds, watchDatabase),
        );
    }
  } finally {
    loader?.stop();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await roster?.close();
    destination.end();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:page failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
