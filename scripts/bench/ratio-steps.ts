/**
 * Steps 1a-1e: Roster against the bare express ceiling, each figure the median of three adjacent
 * bare/Roster pairs of throughput rounds (throughput.ts).
 */
import type { Roster } from '../../src/composition';
import { shuffledSample, type BenchAccount } from './accounts';
import type { DatabaseCpu } from './database-cpu';
import type { GoalResult } from './goals';
import type { LoadGenerator } from './load-client';
import { filterPath } from './scale-steps';
import { thousands } from './stats';
import { checkClean, pairs, pairsJson, reportPairs, say, throughputPairs, type Job } from './throughput';

export interface RatioContext {
  roster: Roster;
  loader: LoadGenerator;
  appPort: number;
  barePort: number;
  concurrency: number;
  seconds: number;
  /** The database server's CPU, on MariaDB. */
  database?: DatabaseCpu;
  details: Record<string, unknown>;
  record(result: Omit<GoalResult, 'database'>): void;
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/scim+json' });

export async function ratioSteps(
  ctx: RatioContext,
  { read, page, big }: { read: BenchAccount; page: BenchAccount; big: BenchAccount },
  sizes: { users: number; page: number; groups: number },
): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const ids = shuffledSample(read.users.ids, 10_000);
  const bareJob: Job = {
    port: ctx.barePort,
    paths: ids.map((id) => `/bare/${id}`),
    headers: {},
    concurrency: ctx.concurrency,
    expectStatus: 200,
  };
  const rosterJob = (account: BenchAccount, paths: string[]): Job => ({
    port: ctx.appPort,
    paths,
    headers: auth(account.token),
    concurrency: ctx.concurrency,
    expectStatus: 200,
  });
  const ratioStep = async (key: GoalResult['key'], title: string, roster: Job, bareFor: Job = bareJob) => {
    say();
    say(
      `${title}: ${ctx.concurrency} keep-alive connections, ${pairs} pairs of ${ctx.seconds} s rounds (bare then roster)`,
    );
    collect?.();
    const result = await throughputPairs(ctx.loader, bareFor, roster, ctx.seconds, ctx.database);
    reportPairs(result);
    ctx.details[key] = pairsJson(result);
    ctx.record({
      key,
      figure: result.ratio,
      load: result.load,
      detail: `(${thousands(result.rosterRps)} / ${thousands(result.bareRps)} req/s; pairs ${result.pairRatios.map((r) => r.toFixed(3)).join(', ')})`,
    });
  };

  // ---- 1. throughput against the bare ceiling ---------------------------------------------------
  checkClean(
    'GET /Users/{id} check',
    await ctx.loader.sequence({
      port: ctx.appPort,
      headers: auth(read.token),
      requests: [{ method: 'GET', path: `/scim/v2/Users/${ids[0]}` }],
      expectStatus: 200,
      expectBody: `"id":"${ids[0]}"`,
    }),
  );
  await ratioStep(
    'getById',
    `1a. GET /Users/{id}, ${thousands(sizes.users)}-user account`,
    rosterJob(
      read,
      ids.map((id) => `/scim/v2/Users/${id}`),
    ),
  );
  await ratioStep(
    'filterThroughput',
    `1b. GET /Users?filter=userName eq "…" (random users of the ${thousands(sizes.users)}-user account, mixed case)`,
    rosterJob(
      read,
      Array.from({ length: 5_000 }, (_, i) => filterPath(read, i)),
    ),
  );
  await ratioStep(
    'usersPage',
    `1c. GET /Users?count=100&startIndex=… (the ${thousands(sizes.page)}-user account, 20 pages in turn; each user in 2 groups)`,
    rosterJob(
      page,
      Array.from({ length: 20 }, (_, i) => `/scim/v2/Users?count=100&startIndex=${1 + 100 * i}`),
    ),
  );
  await ratioStep(
    'groupsPage',
    `1d. GET /Groups?count=100&excludedAttributes=members (the ${thousands(sizes.groups)} groups of the 100,000-user account, 10 pages in turn)`,
    rosterJob(
      big,
      Array.from(
        { length: 10 },
        (_, i) => `/scim/v2/Groups?count=100&excludedAttributes=members&startIndex=${1 + 100 * i}`,
      ),
    ),
  );
  const serviceKey = (await ctx.roster.services.apiKeys.issueService(read.operator)).secret;
  const asked = ['flows.view', 'metrics.edit', 'campaigns.send', 'plan.change'];
  const authorizeJob: Job = {
    port: ctx.appPort,
    method: 'POST',
    paths: ['/api/v1/authorize'],
    bodies: ids
      .slice(0, 5_000)
      .map((user, i) => JSON.stringify({ user, permission: asked[i % asked.length] })),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serviceKey}` },
    concurrency: ctx.concurrency,
    expectStatus: 200,
  };
  checkClean(
    'POST /api/v1/authorize check',
    await ctx.loader.sequence({
      port: ctx.appPort,
      headers: authorizeJob.headers,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/authorize',
          body: JSON.stringify({ user: read.users.ids[1], permission: 'flows.view' }),
        },
      ],
      expectStatus: 200,
      expectBody: '"allowed":true,"role":"analyst","reason":"granted_by_role"',
    }),
  );
  await ratioStep(
    'authorize',
    '1e. POST /api/v1/authorize (service key, random analysts, 4 permissions) vs a bare POST route parsing the same body',
    authorizeJob,
    {
      ...authorizeJob,
      port: ctx.barePort,
      paths: ['/bare/authorize'],
      headers: { 'Content-Type': 'application/json' },
    },
  );
}
