/**
 * `npm run bench -- [--users N] [--database-url URL]`: one run measures
 *   1. GET /Users/{id} req/s through the real app vs a bare express 5 app (goal: ratio >= 0.5 on SQLite),
 *  1b. POST /api/v1/authorize req/s vs a bare express 5 POST route parsing the same body (goal >= 0.7),
 *   2. p99 of `filter=userName eq "…"` at 100,000 users / at 1,000 users (goal <= 1.5),
 *   3. median time to add one member to a 100,000-member group / to a 100-member group (goal <= 1.5),
 *   4. the bench process's peak RSS (reported last, so it covers step 5 too),
 *   5. the time to map the 100,000-member group of step 3 to a role and to remove that mapping (each
 *      recomputes and audits every member's role in one transaction; goal < 10 s each on SQLite),
 * and prints a readable report followed by one JSON line. See docs/benchmarks.md.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import express from 'express';
import pino from 'pino';
import { createLogger } from '../../src/adapters/http/logger';
import { compose, type Roster } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import type { Actor } from '../../src/domain/actor';
import type { AccountId } from '../../src/domain/ids';
import { openBenchDatabase, type BenchDatabase } from './database';
import { LoadGenerator } from './load-client';
import type { SequenceRequest, ThroughputJob, ThroughputResult } from './protocol';
import { benchUserName, seedMembers, seedUsers, type SeededUsers } from './seed';
import { median, ms, round, summarize, thousands, type Summary } from './stats';

interface Options {
  users: number;
  databaseUrl?: string;
  concurrency: number;
  seconds: number;
}

const goals = {
  throughputRatio: 0.5,
  authorizeRatio: 0.7,
  filterP99Ratio: 1.5,
  addMemberRatio: 1.5,
  mappingSeconds: 10,
};
const filterSizes = { small: 1_000, big: 100_000 };
const groupSizes = { small: 100, big: 100_000 };
const filterSamples = 2_000;
const filterWarmup = 200;
/** Bare/roster pairs of throughput rounds in step 1. */
const pairs = 3;
const patchSamples = 200;
const patchWarmup = 20;
/** Nothing here should take long; a stuck run ends itself. */
const watchdogMs = 15 * 60_000;

function positiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be 1..${max}`);
    return n;
  };
}

function parseOptions(argv: string[]): Options {
  const program = new Command()
    .name('bench')
    .description('Roster throughput and scaling benchmark (see docs/benchmarks.md)')
    .option(
      '--users <n>',
      'users in the account read by GET /Users/{id}',
      positiveInt('--users', 1_000_000),
      10_000,
    )
    .option('--database-url <url>', 'mariadb://root@127.0.0.1:3306/<db> (default: a fresh SQLite file)')
    .option(
      '--concurrency <n>',
      'keep-alive connections for the throughput test',
      positiveInt('--concurrency', 256),
      16,
    )
    .option('--seconds <n>', 'length of each throughput round', positiveInt('--seconds', 60), 5)
    .parse(argv);
  return program.opts<Options>();
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

async function listen(app: express.Express): Promise<{ server: Server; port: number }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface BenchAccount {
  label: string;
  accountId: AccountId;
  operator: Actor;
  token: string;
  users: SeededUsers;
}

/** An account made by the services (its Owner is user #0), then filled by SQL to `size` users. */
async function seedAccount(roster: Roster, label: string, size: number): Promise<BenchAccount> {
  const ownerName = benchUserName(label, 0);
  const { account, owner } = await roster.services.accounts.create('bench', {
    name: `Bench ${label}`,
    ownerEmail: ownerName,
  });
  const operator: Actor = { kind: 'operator', accountId: account.id, operator: 'bench', channel: 'cli' };
  const { secret } = await roster.services.tokens.issue(operator, 'bench');
  const seeded = await seedUsers(roster.dataSource, account.id, label, size - 1, 1);
  return {
    label,
    accountId: account.id,
    operator,
    token: secret,
    users: { ids: [owner.id, ...seeded.ids], userNames: [ownerName, ...seeded.userNames] },
  };
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function shuffledSample<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function checkClean(what: string, result: { errors: number; firstError?: string }): void {
  if (result.errors > 0)
    throw new Error(`${what}: ${result.errors} bad answers, first: ${result.firstError}`);
}

interface Round {
  app: 'bare' | 'roster';
  rps: number;
  requests: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Server-process CPU (main thread and libuv pool) per request, in microseconds. */
  serverCpuUsPerRequest: number;
}

/** The high-water mark of this process's RSS so far, in MiB. */
function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

type Job = Omit<ThroughputJob, 'kind' | 'durationMs'>;

interface PairsResult {
  rounds: Round[];
  pairRatios: number[];
  /** The median pair ratio roster/bare. */
  ratio: number;
  rosterRps: number;
  bareRps: number;
  rosterCpuUs: number;
  bareCpuUs: number;
}

/**
 * A 3 s warm-up of each app, then `pairs` pairs of rounds, bare then roster. Each roster round is
 * compared with the bare round just before it, and the median pair counts: a burst of load from
 * outside the bench then spoils one pair, not the figure.
 */
async function throughputPairs(
  loader: LoadGenerator,
  bareJob: Job,
  rosterJob: Job,
  options: Options,
): Promise<PairsResult> {
  await loader.throughput({ ...bareJob, durationMs: 3_000 });
  await loader.throughput({ ...rosterJob, durationMs: 3_000 });
  const rounds: Round[] = [];
  say('   round  app      req/s   requests  server CPU  client CPU  server CPU/request');
  for (let i = 0; i < 2 * pairs; i++) {
    const which = i % 2 === 0 ? 'bare' : 'roster';
    const cpuStart = process.cpuUsage();
    const result: ThroughputResult = await loader.throughput({
      ...(which === 'bare' ? bareJob : rosterJob),
      durationMs: options.seconds * 1000,
    });
    const serverCpuMs = cpuMsSince(cpuStart);
    checkClean(`${rosterJob.method ?? 'GET'} ${which}`, result);
    const round: Round = {
      app: which,
      rps: (result.requests / result.elapsedMs) * 1000,
      requests: result.requests,
      serverCpuPct: (serverCpuMs / result.elapsedMs) * 100,
      clientCpuPct: (result.clientCpuMs / result.elapsedMs) * 100,
      serverCpuUsPerRequest: (serverCpuMs * 1000) / result.requests,
    };
    rounds.push(round);
    say(
      `   ${String(i + 1).padEnd(5)}  ${which.padEnd(6)} ${thousands(round.rps).padStart(7)}  ${thousands(round.requests).padStart(9)}` +
        `  ${round.serverCpuPct.toFixed(0).padStart(9)}%  ${round.clientCpuPct.toFixed(0).padStart(9)}%` +
        `  ${round.serverCpuUsPerRequest.toFixed(0).padStart(8)} µs`,
    );
  }
  const of = (app: Round['app']) => rounds.filter((r) => r.app === app);
  const rate = (app: Round['app']) => of(app).reduce((sum, r) => sum + r.rps, 0) / of(app).length;
  const cpuPerRequest = (app: Round['app']) =>
    of(app).reduce((sum, r) => sum + r.serverCpuUsPerRequest * r.requests, 0) /
    of(app).reduce((sum, r) => sum + r.requests, 0);
  const pairRatios = Array.from({ length: pairs }, (_, i) => rounds[2 * i + 1].rps / rounds[2 * i].rps);
  return {
    rounds,
    pairRatios,
    ratio: [...pairRatios].sort((a, b) => a - b)[Math.floor(pairs / 2)],
    rosterRps: rate('roster'),
    bareRps: rate('bare'),
    rosterCpuUs: cpuPerRequest('roster'),
    bareCpuUs: cpuPerRequest('bare'),
  };
}

function reportPairs(result: PairsResult, goal: number): void {
  say(
    `   roster ${thousands(result.rosterRps)} req/s, bare express ${thousands(result.bareRps)} req/s (mean of rounds)`,
  );
  say(
    `   pair ratios roster/bare: ${result.pairRatios.map((r) => r.toFixed(3)).join(', ')} (the figure is their median)`,
  );
  say(
    `   ratio roster/bare = ${result.ratio.toFixed(3)}   goal >= ${goal}   ${verdict(result.ratio >= goal)}`,
  );
  say(
    `   (cross-check, no goal: server CPU per request roster ${result.rosterCpuUs.toFixed(0)} µs, bare ${result.bareCpuUs.toFixed(0)} µs; ` +
      `bare/roster = ${(result.bareCpuUs / result.rosterCpuUs).toFixed(3)}, the req/s ratio a saturated, uncontended server core would give)`,
  );
}

function pairsJson(result: PairsResult, goal: number) {
  return {
    rosterRps: round(result.rosterRps, 0),
    bareRps: round(result.bareRps, 0),
    pairRatios: result.pairRatios.map((r) => round(r, 3)),
    ratio: round(result.ratio, 3),
    goal: `>= ${goal}`,
    pass: result.ratio >= goal,
    serverCpuUsPerRequest: { roster: round(result.rosterCpuUs, 0), bare: round(result.bareCpuUs, 0) },
    cpuCostRatio: round(result.bareCpuUs / result.rosterCpuUs, 3),
    rounds: result.rounds.map((r) => ({
      ...r,
      rps: round(r.rps, 0),
      serverCpuPct: round(r.serverCpuPct, 0),
      clientCpuPct: round(r.clientCpuPct, 0),
      serverCpuUsPerRequest: round(r.serverCpuUsPerRequest, 0),
    })),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${watchdogMs / 60_000} min; giving up\n`);
    process.exit(2);
  }, watchdogMs);
  watchdog.unref();

  const runStart = performance.now();
  const loadAtStart = loadavg()[0];
  const rssAfter: Record<string, number> = {};
  const db: BenchDatabase = await openBenchDatabase(options.databaseUrl);
  const logFile = join(db.dir, 'requests.log');
  // The production logger (createLogger: pino + redaction) at level info, to a file through an
  // asynchronous SonicBoom, as pino's default stdout destination is: every request pays its log line.
  const destination = pino.destination({ dest: logFile, sync: false });
  const logger = createLogger('info', destination);
  let roster: Roster | undefined;
  let load: LoadGenerator | undefined;
  const servers: Server[] = [];
  try {
    const config = loadConfig({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1',
      // The per-token limit stays on (its cost is part of every figure) but is never reached.
      RATE_LIMIT_REQUESTS_PER_TOKEN: '1000000000',
    });
    roster = await compose(config, { logger });

    say(`Roster bench: ${db.dialect === 'sqlite' ? 'SQLite' : 'MariaDB/MySQL'}, node ${process.version}`);
    say(
      `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}/${process.arch}`,
    );
    say(
      `Load average (1 min) at start: ${loadAtStart.toFixed(2)}` +
        (loadAtStart > 0.5 ? ' (the CPUs were not idle just before; req/s figures may be noisy)' : ''),
    );
    say(`Database: ${db.description}`);
    say(
      `Logger: the app's pino logger (createLogger) at level info, one line per request (request-context.ts),`,
    );
    say(`        written to a file through async SonicBoom (like pino's default stdout destination)`);
    say(`Servers: the real app (compose + app.listen) and a bare express 5 app, both in this process`);
    say(`Load generator: a child process, node:http with keep-alive Agents (traffic to 127.0.0.1 only)`);
    say();

    // ---- seeding -----------------------------------------------------------------------------
    let t = performance.now();
    const readAccount = await seedAccount(roster, 'read', options.users);
    // Members of the read account are analysts, as a hand assignment stores it, so that step 1b's
    // answers are about users with a role (the Owner, user #0, keeps the owner role).
    await roster.dataSource.query(
      "UPDATE user_roles SET role_key = 'analyst', source = 'manual', manual_role_key = 'analyst' " +
        'WHERE account_id = ? AND role_key IS NULL',
      [readAccount.accountId],
    );
    const smallAccount = await seedAccount(roster, 'small', filterSizes.small);
    const bigAccount = await seedAccount(roster, 'big', filterSizes.big);
    const seedSeconds = (performance.now() - t) / 1000;
    rssAfter.seeding = maxRssMiB();
    say(
      `Seeded by SQL (multi-row INSERTs in transactions): accounts of ${thousands(options.users)}, ` +
        `${thousands(filterSizes.small)} and ${thousands(filterSizes.big)} users in ${seedSeconds.toFixed(1)} s`,
    );

    const app = await listen(roster.app);
    servers.push(app.server);
    const bareApp = express();
    bareApp.get('/bare/:id', (req, res) => res.json({ id: req.params.id }));
    // The same JSON body parsed, and an answer of the same shape, with no work behind it.
    bareApp.post('/bare/authorize', express.json(), (req, res) =>
      res.json({ allowed: true, role: 'analyst', reason: 'granted_by_role', user: req.body.user }),
    );
    const bare = await listen(bareApp);
    servers.push(bare.server);
    const loader = new LoadGenerator();
    load = loader;

    // ---- 1. GET /Users/{id} throughput -------------------------------------------------------
    // Both servers start from a collected heap, not one full of seeding garbage (npm run bench
    // passes --expose-gc; without it this is skipped and the report says so).
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    say(
      `Heap before step 1: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB${collect ? ' (after a full GC)' : ''}`,
    );
    const ids = shuffledSample(readAccount.users.ids, 10_000);
    const auth = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/scim+json' });
    const rosterJob = {
      port: app.port,
      paths: ids.map((id) => `/scim/v2/Users/${id}`),
      headers: auth(readAccount.token),
      concurrency: options.concurrency,
      expectStatus: 200,
    };
    const bareJob = { ...rosterJob, port: bare.port, paths: ids.map((id) => `/bare/${id}`), headers: {} };
    // The answer is the seeded user, not merely a 200.
    checkClean(
      'GET /Users/{id} check',
      await loader.sequence({
        port: app.port,
        headers: auth(readAccount.token),
        requests: [{ method: 'GET', path: `/scim/v2/Users/${ids[0]}` }],
        expectStatus: 200,
        expectBody: `"id":"${ids[0]}"`,
      }),
    );
    say();
    say(
      `1. GET /Users/{id}: ${thousands(options.users)}-user account, ${options.concurrency} keep-alive connections, ` +
        `${pairs} pairs of ${options.seconds} s rounds (bare then roster) after a 3 s warm-up of each`,
    );
    const getById = await throughputPairs(loader, bareJob, rosterJob, options);
    rssAfter.getById = maxRssMiB();
    const throughputRatio = getById.ratio;
    const throughputPass = throughputRatio >= goals.throughputRatio;
    reportPairs(getById, goals.throughputRatio);

    // ---- 1b. POST /api/v1/authorize throughput ------------------------------------------------
    // The product's backend asks with the account's service key about random users of the read
    // account (each has the analyst role) and random permissions, some granted and some not.
    const serviceKey = (await roster.services.apiKeys.issueService(readAccount.operator)).secret;
    const askedPermissions = ['flows.view', 'metrics.edit', 'campaigns.send', 'plan.change'];
    const authorizeBodies = ids
      .slice(0, 5_000)
      .map((user, i) => JSON.stringify({ user, permission: askedPermissions[i % askedPermissions.length] }));
    const jsonHeaders = { 'Content-Type': 'application/json' };
    const authorizeJob = {
      port: app.port,
      method: 'POST' as const,
      paths: ['/api/v1/authorize'],
      bodies: authorizeBodies,
      headers: { ...jsonHeaders, Authorization: `Bearer ${serviceKey}` },
      concurrency: options.concurrency,
      expectStatus: 200,
    };
    const bareAuthorizeJob = {
      ...authorizeJob,
      port: bare.port,
      paths: ['/bare/authorize'],
      headers: jsonHeaders,
    };
    checkClean(
      'POST /api/v1/authorize check',
      await loader.sequence({
        port: app.port,
        headers: authorizeJob.headers,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/authorize',
            body: JSON.stringify({ user: readAccount.users.ids[1], permission: 'flows.view' }),
          },
        ],
        expectStatus: 200,
        expectBody: '"allowed":true,"role":"analyst","reason":"granted_by_role"',
      }),
    );
    say();
    say(
      `1b. POST /api/v1/authorize (service key, random users of the ${thousands(options.users)}-user account, ` +
        `${askedPermissions.length} permissions) vs a bare express 5 POST route that parses the same JSON body: ` +
        `${options.concurrency} keep-alive connections, ${pairs} pairs of ${options.seconds} s rounds after a 3 s warm-up of each`,
    );
    collect?.();
    const authorize = await throughputPairs(loader, bareAuthorizeJob, authorizeJob, options);
    rssAfter.authorize = maxRssMiB();
    const authorizePass = authorize.ratio >= goals.authorizeRatio;
    reportPairs(authorize, goals.authorizeRatio);

    // ---- 2. filter=userName eq at 1,000 vs 100,000 users --------------------------------------
    say();
    say(
      `2. GET /Users?filter=userName eq "…": ${thousands(filterSizes.small)}- vs ${thousands(filterSizes.big)}-user account, ` +
        `${thousands(filterSamples)} sequential queries each (alternating, after ${filterWarmup} warm-up each), random existing ` +
        `userNames, a third UPPERCASED and a third lowercased`,
    );
    const filterRequest = (account: BenchAccount, i: number): SequenceRequest => {
      const stored = pick(account.users.userNames);
      const name = i % 3 === 0 ? stored.toUpperCase() : i % 3 === 1 ? stored.toLowerCase() : stored;
      return {
        method: 'GET',
        path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`,
        headers: auth(account.token),
      };
    };
    // One connection, strictly alternating small/big, so drift and noise hit both sides alike.
    const filterRun = async (each: number) => {
      const requests = Array.from({ length: each }, (_, i) => [
        filterRequest(smallAccount, i),
        filterRequest(bigAccount, i),
      ]).flat();
      const result = await loader.sequence({
        port: app.port,
        headers: {},
        requests,
        expectStatus: 200,
        expectBody: '"totalResults":1,',
      });
      checkClean('filter userName eq', result);
      return {
        small: result.latenciesMs.filter((_, i) => i % 2 === 0),
        big: result.latenciesMs.filter((_, i) => i % 2 === 1),
      };
    };
    await filterRun(filterWarmup);
    const filter = await filterRun(filterSamples);
    const filterSmall = summarize(filter.small);
    const filterBig = summarize(filter.big);
    const filterRatio = filterBig.p99 / filterSmall.p99;
    const filterPass = filterRatio <= goals.filterP99Ratio;
    rssAfter.filter = maxRssMiB();
    const latencyLine = (name: string, s: Summary) =>
      `   ${name.padEnd(16)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
    say(latencyLine(`${thousands(filterSizes.small)} users`, filterSmall));
    say(latencyLine(`${thousands(filterSizes.big)} users`, filterBig));
    say(
      `   p99 ratio 100k/1k = ${filterRatio.toFixed(3)}   goal <= ${goals.filterP99Ratio}   ${verdict(filterPass)}`,
    );

    // ---- 3. add one member: 100-member vs 100,000-member group --------------------------------
    say();
    t = performance.now();
    const joiners = await seedUsers(
      roster.dataSource,
      bigAccount.accountId,
      'big',
      patchWarmup + patchSamples,
      filterSizes.big,
    );
    const smallGroup = await roster.services.groups.create(bigAccount.operator, {
      displayName: 'Bench small group',
      externalId: null,
      memberIds: [],
    });
    const bigGroup = await roster.services.groups.create(bigAccount.operator, {
      displayName: 'Bench big group',
      externalId: null,
      memberIds: [],
    });
    await seedMembers(
      roster.dataSource,
      bigAccount.accountId,
      smallGroup.group.id,
      bigAccount.users.ids.slice(0, groupSizes.small),
    );
    await seedMembers(
      roster.dataSource,
      bigAccount.accountId,
      bigGroup.group.id,
      bigAccount.users.ids.slice(0, groupSizes.big),
    );
    const groupSeedSeconds = (performance.now() - t) / 1000;
    say(
      `3. PATCH /Groups/{id} add one member: groups of ${thousands(groupSizes.small)} and ${thousands(groupSizes.big)} members ` +
        `in the ${thousands(filterSizes.big)}-user account (memberships seeded by SQL in ${groupSeedSeconds.toFixed(1)} s), ` +
        `${patchSamples} PATCHes each adding a different user (alternating, after ${patchWarmup} warm-up each)`,
    );
    const patchBody = (userId: string) =>
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
      });
    const patchHeaders = { ...auth(bigAccount.token), 'Content-Type': 'application/scim+json' };
    const patches = joiners.ids
      .map((userId) => [
        { method: 'PATCH' as const, path: `/scim/v2/Groups/${smallGroup.group.id}`, body: patchBody(userId) },
        { method: 'PATCH' as const, path: `/scim/v2/Groups/${bigGroup.group.id}`, body: patchBody(userId) },
      ])
      .flat();
    const patchResult = await loader.sequence({
      port: app.port,
      headers: patchHeaders,
      requests: patches,
      expectStatus: 204,
    });
    checkClean('PATCH add member', patchResult);
    const measured = patchResult.latenciesMs.slice(2 * patchWarmup);
    const patchTimes = {
      small: measured.filter((_, i) => i % 2 === 0),
      big: measured.filter((_, i) => i % 2 === 1),
    };
    const counts = await roster.dataSource.query(
      'SELECT group_id, COUNT(*) AS n FROM group_members WHERE group_id IN (?, ?) GROUP BY group_id',
      [smallGroup.group.id, bigGroup.group.id],
    );
    const memberCount = (id: string) =>
      Number(counts.find((r: { group_id: string }) => r.group_id === id)?.n);
    const expected = {
      small: groupSizes.small + joiners.ids.length,
      big: groupSizes.big + joiners.ids.length,
    };
    if (
      memberCount(smallGroup.group.id) !== expected.small ||
      memberCount(bigGroup.group.id) !== expected.big
    ) {
      throw new Error(
        `memberships after the PATCHes: ${memberCount(smallGroup.group.id)}/${memberCount(bigGroup.group.id)}, ` +
          `expected ${expected.small}/${expected.big}`,
      );
    }
    const patchSmall = summarize(patchTimes.small);
    const patchBig = summarize(patchTimes.big);
    const patchRatio = median(patchTimes.big) / median(patchTimes.small);
    const patchPass = patchRatio <= goals.addMemberRatio;
    rssAfter.addMember = maxRssMiB();
    say(latencyLine(`${thousands(groupSizes.small)} members`, patchSmall));
    say(latencyLine(`${thousands(groupSizes.big)} members`, patchBig));
    say(
      `   median ratio 100k/100 = ${patchRatio.toFixed(3)}   goal <= ${goals.addMemberRatio}   ${verdict(patchPass)}` +
        `   (members afterwards: ${thousands(expected.small)} and ${thousands(expected.big)}, checked)`,
    );

    // ---- 5. map the big group to a role, then remove the mapping ----------------------------------
    say();
    const mappedMembers = expected.big;
    say(
      `5. Map the ${thousands(mappedMembers)}-member group of step 3 to role "analyst" (mappings.add, matched by id), ` +
        `then remove the mapping (mappings.remove); each recomputes and audits every member's role in one transaction`,
    );
    // The Owner (user #0, seeded into the group in step 3) keeps the owner role: no mapping grants
    // or takes it (roles.md rule 4), so every member but the Owner becomes an analyst.
    const ownerInGroup = bigAccount.users.ids.slice(0, groupSizes.big).includes(bigAccount.users.ids[0]);
    const expectedAnalysts = mappedMembers - (ownerInGroup ? 1 : 0);
    const dataSource = roster.dataSource;
    const analysts = async (): Promise<number> => {
      const [{ n }] = await dataSource.query(
        "SELECT COUNT(*) AS n FROM user_roles WHERE account_id = ? AND role_key = 'analyst'",
        [bigAccount.accountId],
      );
      return Number(n);
    };
    collect?.();
    t = performance.now();
    const mapping = await roster.services.mappings.add(bigAccount.operator, {
      matchKind: 'id',
      matchValue: bigGroup.group.id,
      roleKey: 'analyst',
    });
    const mapAddSeconds = (performance.now() - t) / 1000;
    const analystsAfterAdd = await analysts();
    if (analystsAfterAdd !== expectedAnalysts) {
      throw new Error(`analysts after mappings.add: ${analystsAfterAdd}, expected ${expectedAnalysts}`);
    }
    t = performance.now();
    await roster.services.mappings.remove(bigAccount.operator, mapping.id);
    const mapRemoveSeconds = (performance.now() - t) / 1000;
    const analystsAfterRemove = await analysts();
    if (analystsAfterRemove !== 0) {
      throw new Error(`analysts after mappings.remove: ${analystsAfterRemove}, expected 0`);
    }
    const mapAddPass = mapAddSeconds < goals.mappingSeconds;
    const mapRemovePass = mapRemoveSeconds < goals.mappingSeconds;
    rssAfter.mapping = maxRssMiB();
    say(
      `   add    ${mapAddSeconds.toFixed(2).padStart(6)} s   goal < ${goals.mappingSeconds} s on SQLite   ${verdict(mapAddPass)}` +
        `   (users with role analyst afterwards: ${thousands(analystsAfterAdd)} = the members but the Owner, checked)`,
    );
    say(
      `   remove ${mapRemoveSeconds.toFixed(2).padStart(6)} s   goal < ${goals.mappingSeconds} s on SQLite   ${verdict(mapRemovePass)}` +
        `   (users with role analyst afterwards: ${analystsAfterRemove}, checked)`,
    );

    // ---- 4. memory -------------------------------------------------------------------------------
    const peakRssMiB = maxRssMiB();
    const endRssMiB = process.memoryUsage().rss / 2 ** 20;
    const loadRssMiB = loader.maxRssKb / 1024;
    say();
    say(
      `4. Peak RSS (process.resourceUsage().maxRSS) of the bench process (servers, database, seeding): ` +
        `${peakRssMiB.toFixed(0)} MiB   no goal (load generator child: ${loadRssMiB.toFixed(0)} MiB)`,
    );
    say(
      `   high-water mark after seeding ${rssAfter.seeding.toFixed(0)} MiB, after 1. ${rssAfter.getById.toFixed(0)} MiB, ` +
        `after 2. ${rssAfter.filter.toFixed(0)} MiB, after 3. ${rssAfter.addMember.toFixed(0)} MiB, ` +
        `after 5. ${rssAfter.mapping.toFixed(0)} MiB; ` +
        `RSS now ${endRssMiB.toFixed(0)} MiB`,
    );

    destination.flushSync();
    const logLines = readFileSync(logFile, 'utf8').split('\n').length - 1;
    const totalSeconds = (performance.now() - runStart) / 1000;
    say();
    say(`Request log: ${thousands(logLines)} lines at level info. Whole run: ${totalSeconds.toFixed(0)} s.`);
    const allPass = throughputPass && authorizePass && filterPass && patchPass && mapAddPass && mapRemovePass;
    say(`Goals (stated for SQLite): ${allPass ? 'all met' : 'not all met'}`);
    const rounded = (s: Summary) => ({
      n: s.n,
      p50: round(s.p50, 3),
      p90: round(s.p90, 3),
      p99: round(s.p99, 3),
      max: round(s.max, 3),
    });
    const json = {
      bench: 'roster',
      database: db.dialect === 'sqlite' ? 'sqlite' : 'mariadb',
      node: process.version,
      cpus: availableParallelism(),
      loadAverageAtStart: round(loadAtStart, 2),
      users: options.users,
      concurrency: options.concurrency,
      getUserById: pairsJson(getById, goals.throughputRatio),
      authorize: pairsJson(authorize, goals.authorizeRatio),
      filterUserNameP99: {
        smallMs: rounded(filterSmall),
        bigMs: rounded(filterBig),
        ratio: round(filterRatio, 3),
        goal: `<= ${goals.filterP99Ratio}`,
        pass: filterPass,
      },
      addGroupMemberMedian: {
        smallMs: rounded(patchSmall),
        bigMs: rounded(patchBig),
        ratio: round(patchRatio, 3),
        goal: `<= ${goals.addMemberRatio}`,
        pass: patchPass,
      },
      mapGroupToRole: {
        members: mappedMembers,
        analystsAfterAdd,
        analystsAfterRemove,
        addSeconds: round(mapAddSeconds, 3),
        removeSeconds: round(mapRemoveSeconds, 3),
        goal: `< ${goals.mappingSeconds} s each`,
        pass: mapAddPass && mapRemovePass,
      },
      peakRssMiB: round(peakRssMiB, 0),
      endRssMiB: round(endRssMiB, 0),
      peakRssAfterMiB: Object.fromEntries(Object.entries(rssAfter).map(([k, v]) => [k, round(v, 0)])),
      loadGeneratorPeakRssMiB: round(loadRssMiB, 0),
      seedSeconds: round(seedSeconds, 1),
      totalSeconds: round(totalSeconds, 0),
    };
    say(JSON.stringify(json));
  } finally {
    load?.stop();
    for (const server of servers) await closeServer(server);
    await roster?.close();
    destination.end();
    await db.drop();
    clearTimeout(watchdog);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
