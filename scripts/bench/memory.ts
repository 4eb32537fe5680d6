/**
 * The server's own memory: `node dist/src/main.js` in its own process on the bench's database
 * (100,000 users and 1,000 groups by then), under a mixed load of reads and writes, with its peak
 * RSS (VmHWM) read from /proc. RSS counts the pages of the SQLite file the process has mapped
 * (RssFile) as well as its heap and SQLite's page cache (RssAnon).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { LoadGenerator } from './load-client';
import { checkClean } from './throughput';

export interface MemoryLoad {
  databaseUrl: string;
  /** Where the server's request log goes. */
  logFile: string;
  token: string;
  serviceKey: string;
  userIds: readonly string[];
  userNames: readonly string[];
  groupIds: readonly string[];
  seconds: number;
  concurrency: number;
}

export interface MemoryResult {
  peakRssMiB: number;
  /** At the end: mapped file pages and anonymous memory (heap, SQLite page cache). */
  rssFileMiB: number;
  rssAnonMiB: number;
  startRssMiB: number;
  requests: number;
}

const root = join(__dirname, '..', '..', '..');

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const match = /^(\w+):\s+(\d+) kB/.exec(line);
    if (match) out[match[1]] = Number(match[2]) / 1024;
  }
  return out;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not become ready within 30 s');
}

export async function measureServerMemory(loader: LoadGenerator, load: MemoryLoad): Promise<MemoryResult> {
  const port = await freePort();
  const log = openSync(load.logFile, 'a');
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: load.databaseUrl,
      PORT: String(port),
      PUBLIC_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'info',
      JOBS_INTERVAL_SECONDS: '0',
      // The limiter still counts every request; its default (6,000 a minute a token) would refuse
      // the load on a quiet machine, and the step measures memory, not the limit.
      RATE_LIMIT_REQUESTS_PER_TOKEN: '1000000000',
    },
    stdio: ['ignore', log, 'inherit'],
  });
  try {
    await waitReady(port, child);
    const pid = child.pid as number;
    const startRssMiB = status(pid).VmRSS;
    const auth = { Authorization: `Bearer ${load.token}`, Accept: 'application/scim+json' };
    const pick = (items: readonly string[], i: number) => items[(i * 7919) % items.length];
    const reads = Array.from({ length: 2000 }, (_, i) => {
      switch (i % 8) {
        case 0:
        case 1:
        case 2:
          return `/scim/v2/Users/${pick(load.userIds, i)}`;
        case 3:
          return `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${pick(load.userNames, i)}"`)}`;
        case 4:
          return `/scim/v2/Users?count=100&startIndex=${1 + ((i * 100) % 5000)}`;
        case 5:
          return '/scim/v2/Users?count=100&cursor=';
        case 6:
          return `/scim/v2/Groups?count=100&excludedAttributes=members&startIndex=${1 + (i % 900)}`;
        default:
          return `/scim/v2/Groups/${pick(load.groupIds, i)}?excludedAttributes=members`;
      }
    });
    const authorize = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ user: pick(load.userIds, i + 3), permission: i % 2 ? 'flows.view' : 'plan.change' }),
    );
    const patches = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: `Bench User ${i} (renamed)` }],
      }),
    );
    const durationMs = load.seconds * 1000;
    const results = await Promise.all([
      loader.throughput({
        port,
        paths: reads,
        headers: auth,
        concurrency: Math.max(1, load.concurrency - 4),
        durationMs,
        expectStatus: 200,
      }),
      loader.throughput({
        port,
        method: 'POST',
        paths: ['/api/v1/authorize'],
        bodies: authorize,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${load.serviceKey}` },
        concurrency: 2,
        durationMs,
        expectStatus: 200,
      }),
      loader.throughput({
        port,
        method: 'PATCH',
        paths: load.userIds.slice(1, 501).map((id) => `/scim/v2/Users/${id}`),
        bodies: patches,
        headers: { ...auth, 'Content-Type': 'application/scim+json' },
        concurrency: 2,
        durationMs,
        expectStatus: 200,
      }),
    ]);
    results.forEach((r, i) => checkClean(`mixed load ${['reads', 'authorize', 'PATCH'][i]}`, r));
    const end = status(pid);
    return {
      peakRssMiB: end.VmHWM,
      rssFileMiB: end.RssFile ?? 0,
      rssAnonMiB: end.RssAnon ?? 0,
      startRssMiB,
      requests: results.reduce((sum, r) => sum + r.requests, 0),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}
