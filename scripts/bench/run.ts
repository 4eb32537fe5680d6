/**
 * `npm run bench:one -- [--database-url URL]`: every figure of one database in one run (see
 * docs/benchmarks.md). `npm run bench` (all.ts) runs this for SQLite and MariaDB, then the HR sync.
 * Prints a readable report, one line per goal, and one JSON line.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import express from 'express';
import pino from 'pino';
import type { Roster } from '../../src/composition';
import { benchRoster, makeAnalysts, seedAccount, seedGroups } from './accounts';
import { measureCursorEnd } from './cursor-step';
import { openBenchDatabase, type BenchDatabase } from './database';
import { currentLoad, goalLine, type Database, type GoalResult } from './goals';
import { LoadGenerator } from './load-client';
import { measureServerMemory } from './memory';
import { databaseCpu } from './database-cpu';
import { ratioSteps } from './ratio-steps';
import { addMember, filterP99, latencyLine, mapGroup } from './scale-steps';
import { round, thousands } from './stats';
import { say } from './throughput';

interface Options {
  users: number;
  databaseUrl?: string;
  concurrency: number;
  seconds: number;
  memorySeconds: number;
}

const sizes = { page: 2_000, small: 1_000, big: 100_000, bigGroups: 1_000, smallGroup: 100 };
const filterSamples = 2_000;
const patchSamples = 200;
const cursorSamples = 100;
const watchdogMs = 15 * 60_000;

function positiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be 1..${max}`);
    return n;
  };
}

function parseOptions(argv: string[]): Options {
  return new Command()
    .name('bench')
    .description('Roster throughput and scaling benchmark for one database (docs/benchmarks.md)')
    .option(
      '--users <n>',
      'users in the account read by GET /Users/{id}',
      positiveInt('--users', 1_000_000),
      10_000,
    )
    .option('--database-url <url>', 'mariadb://root@127.0.0.1:3306/<db> (default: a fresh SQLite file)')
    .option(
      '--concurrency <n>',
      'keep-alive connections for throughput',
      positiveInt('--concurrency', 256),
      16,
    )
    .option('--seconds <n>', 'length of each throughput round', positiveInt('--seconds', 60), 5)
    .option(
      '--memory-seconds <n>',
      'length of the mixed load on the server process',
      positiveInt('--memory-seconds', 600),
      20,
    )
    .parse(argv)
    .opts<Options>();
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

const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  let dropDatabase = async () => undefined as unknown;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${watchdogMs / 60_000} min; giving up\n`);
    // Leave no bench database or temp directory behind.
    void dropDatabase().finally(() => process.exit(2));
  }, watchdogMs);
  watchdog.unref();
  const runStart = performance.now();
  const loadAtStart = currentLoad();
  const db: BenchDatabase = await openBenchDatabase(options.databaseUrl);
  dropDatabase = () => db.drop();
  const database: Database = db.dialect === 'sqlite' ? 'sqlite' : 'mariadb';
  const logFile = join(db.dir, 'requests.log');
  // The production logger at level info, to a file through an asynchronous SonicBoom (as pino's
  // default stdout destination is): every request pays its log line.
  const destination = pino.destination({ dest: logFile, sync: false });
  const goals: GoalResult[] = [];
  const details: Record<string, unknown> = {};
  const record = (result: Omit<GoalResult, 'database'>) => {
    const full = { ...result, database };
    goals.push(full);
    say(goalLine(full));
  };
  let roster: Roster | undefined;
  let loader: LoadGenerator | undefined;
  const servers: Server[] = [];
  try {
    roster = await benchRoster(db.url, destination);
    say(`Roster bench: ${database === 'sqlite' ? 'SQLite' : 'MariaDB'}, node ${process.version}`);
    say(
      `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}/${process.arch}`,
    );
    say(`Load average (1 min) at start: ${loadAtStart.toFixed(2)}`);
    say(`Database: ${db.description}`);
    say(
      'Logger: the production pino logger at level info, one line per request, to a file (async SonicBoom)',
    );
    say('Servers: the real app (compose + app.listen) and a bare express 5 app, both in this process;');
    say('         step 6 starts the real server (dist/src/main.js) in its own process on the same database');
    say('Load generator: a child process, node:http with keep-alive Agents (traffic to 127.0.0.1 only)');
    say();

    // ---- seeding ---------------------------------------------------------------------------------
    const t = performance.now();
    const read = await seedAccount(roster, 'read', options.users);
    // Analysts, so that authorize answers are about users with a role.
    await makeAnalysts(roster, read);
    const page = await seedAccount(roster, 'page', sizes.page);
    await seedGroups(roster, page, 20, 2);
    const small = await seedAccount(roster, 'small', sizes.small);
    const big = await seedAccount(roster, 'big', sizes.big);
    const bigGroups = await seedGroups(roster, big, sizes.bigGroups, 2);
    details.seedSeconds = round((performance.now() - t) / 1000, 1);
    say(
      `Seeded by SQL: accounts of ${thousands(options.users)} users (analysts), ${thousands(sizes.page)} users in 20 groups ` +
        `(2 each), ${thousands(sizes.small)} users, and ${thousands(sizes.big)} users in ${thousands(sizes.bigGroups)} groups ` +
        `(2 each) in ${details.seedSeconds} s`,
    );

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
    await ratioSteps(
      {
        roster,
        loader,
        appPort: app.port,
        barePort: bare.port,
        concurrency: options.concurrency,
        seconds: options.seconds,
        ...(database === 'mariadb' ? { database: databaseCpu() } : {}),
        details,
        record,
      },
      { read, page, big },
      { users: options.users, page: sizes.page, groups: sizes.bigGroups },
    );
    details.peakRssAfterThroughputMiB = round(maxRssMiB(), 0);

    // ---- 2. scaling -------------------------------------------------------------------------------
    say();
    say(
      `2. GET /Users?filter=userName eq "…": ${thousands(sizes.small)}- vs ${thousands(sizes.big)}-user account, ${thousands(database === 'sqlite' ? filterSamples : filterSamples / 2)} sequential queries each (alternating)`,
    );
    let load = currentLoad();
    // Half as many on MariaDB, where each query is a pool round trip or two.
    const filter = await filterP99(
      loader,
      app.port,
      small,
      big,
      database === 'sqlite' ? filterSamples : filterSamples / 2,
    );
    say(latencyLine(`${thousands(sizes.small)} users`, filter.small));
    say(latencyLine(`${thousands(sizes.big)} users`, filter.big));
    details.filterP99 = { small: filter.small, big: filter.big };
    record({
      key: 'filterP99',
      figure: filter.ratio,
      load,
      detail: `(p99 ${filter.big.p99.toFixed(2)} / ${filter.small.p99.toFixed(2)} ms)`,
    });

    say();
    say(
      `2b. Cursor paging in the ${thousands(sizes.big)}-user account: the first page vs the page a cursor opens at the end (last 100 users), and startIndex to the same place; ${cursorSamples} of each, alternating (10 by startIndex)`,
    );
    load = currentLoad();
    const cursor = await measureCursorEnd(roster, loader, app.port, big, cursorSamples);
    say(latencyLine('first page', cursor.first));
    say(latencyLine('cursor at end', cursor.end));
    say(latencyLine('startIndex end', cursor.indexEnd));
    details.cursor = cursor;
    record({
      key: 'cursorEnd',
      figure: cursor.ratio,
      load,
      detail: `(median ${cursor.end.p50.toFixed(2)} / ${cursor.first.p50.toFixed(2)} ms; startIndex to the end: ${cursor.indexEnd.p50.toFixed(2)} ms)`,
    });

    say();
    say(
      `3. PATCH /Groups/{id} add one member: groups of ${sizes.smallGroup} and ${thousands(sizes.big)} members, ${patchSamples} PATCHes each (alternating)`,
    );
    load = currentLoad();
    const patch = await addMember(
      roster,
      loader,
      app.port,
      big,
      { small: sizes.smallGroup, big: sizes.big },
      patchSamples,
    );
    say(latencyLine(`${sizes.smallGroup} members`, patch.small));
    say(latencyLine(`${thousands(sizes.big)} members`, patch.big));
    details.addMember = { small: patch.small, big: patch.big, seedSeconds: round(patch.seedSeconds, 1) };
    record({
      key: 'addMember',
      figure: patch.ratio,
      load,
      detail: `(median ${patch.big.p50.toFixed(2)} / ${patch.small.p50.toFixed(2)} ms; members checked)`,
    });

    say();
    say(
      `5. Map the ${thousands(patch.bigMembers)}-member group to role "analyst", then remove the mapping (each recomputes and audits every member in one transaction)`,
    );
    load = currentLoad();
    const mapping = await mapGroup(roster, big, patch.bigGroupId, patch.bigMembers);
    record({ key: 'mapAdd', figure: mapping.addSeconds, load, detail: '' });
    record({ key: 'mapRemove', figure: mapping.removeSeconds, load: currentLoad(), detail: '' });

    // ---- 6. the server's memory, in its own process -------------------------------------------------
    say();
    say(
      `6. The server (dist/src/main.js, its own process) on this database (${thousands(sizes.big)} users and ${thousands(sizes.bigGroups)} groups in one account), ${options.memorySeconds} s of mixed load: GET by id, filters, user and group pages, group GETs, authorize, PATCH`,
    );
    load = currentLoad();
    const memory = await measureServerMemory(loader, {
      databaseUrl: db.url,
      logFile: join(db.dir, 'server.log'),
      token: big.token,
      serviceKey: (await roster.services.apiKeys.issueService(big.operator)).secret,
      userIds: big.users.ids,
      userNames: big.users.userNames,
      groupIds: bigGroups,
      seconds: options.memorySeconds,
      concurrency: options.concurrency,
    });
    details.serverMemory = memory;
    record({
      key: 'serverRss',
      figure: (memory.peakRssMiB * 2 ** 20) / 1e6,
      load,
      detail: `(${memory.peakRssMiB.toFixed(0)} MiB; at the end ${memory.rssAnonMiB.toFixed(0)} MiB anonymous + ${memory.rssFileMiB.toFixed(0)} MiB mapped file; ${memory.startRssMiB.toFixed(0)} MiB after start; ${thousands(memory.requests)} requests)`,
    });

    // ---- summary ----------------------------------------------------------------------------------
    destination.flushSync();
    const logLines = readFileSync(logFile, 'utf8').split('\n').length - 1;
    const totalSeconds = (performance.now() - runStart) / 1000;
    say();
    say(
      `Bench process peak RSS ${maxRssMiB().toFixed(0)} MiB (servers, seeding, the ids of 113,000 users; no goal). Request log: ${thousands(logLines)} lines. Whole run: ${totalSeconds.toFixed(0)} s.`,
    );
    say();
    say(`Goals on ${database === 'sqlite' ? 'SQLite' : 'MariaDB'}:`);
    for (const goal of goals) say(goalLine(goal));
    say(
      JSON.stringify({
        bench: 'roster',
        database,
        node: process.version,
        cpus: availableParallelism(),
        loadAverageAtStart: round(loadAtStart, 2),
        goals: goals.map((g) => ({ ...g, figure: round(g.figure, 3), load: round(g.load, 2) })),
        details,
        benchPeakRssMiB: round(maxRssMiB(), 0),
        totalSeconds: round(totalSeconds, 0),
      }),
    );
  } finally {
    loader?.stop();
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
