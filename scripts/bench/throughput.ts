/**
 * Throughput pairs: a bare express round, then a Roster round, three times; each Roster round is
 * divided by the bare round just before it and the median of the three ratios is the figure.
 */
import type { DatabaseCpu } from './database-cpu';
import type { LoadGenerator } from './load-client';
import type { ThroughputJob, ThroughputResult } from './protocol';
import { round, thousands } from './stats';

export interface Round {
  app: 'bare' | 'roster';
  rps: number;
  requests: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Server-process CPU (main thread and libuv pool) per request, in microseconds. */
  serverCpuUsPerRequest: number;
  /** The database server's CPU per request (MariaDB on this machine), when it is watched. */
  databaseCpuUsPerRequest?: number;
}

export type Job = Omit<ThroughputJob, 'kind' | 'durationMs'>;

export interface PairsResult {
  rounds: Round[];
  pairRatios: number[];
  /** The median pair ratio roster/bare. */
  ratio: number;
  rosterRps: number;
  bareRps: number;
  rosterCpuUs: number;
  bareCpuUs: number;
  /** The database server's CPU per Roster request, when it is watched. */
  rosterDatabaseCpuUs?: number;
  /** 1-minute load average when the rounds started. */
  load: number;
}

export const pairs = 3;

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function checkClean(what: string, result: { errors: number; firstError?: string }): void {
  if (result.errors > 0)
    throw new Error(`${what}: ${result.errors} bad answers, first: ${result.firstError}`);
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * A 2 s warm-up of each app, then `pairs` pairs of rounds, bare then roster. A burst of load from
 * outside the bench then spoils one pair, not the figure.
 */
export async function throughputPairs(
  loader: LoadGenerator,
  bareJob: Job,
  rosterJob: Job,
  seconds: number,
  database?: DatabaseCpu,
): Promise<PairsResult> {
  const { loadavg } = await import('node:os');
  await loader.throughput({ ...bareJob, durationMs: 2_000 });
  await loader.throughput({ ...rosterJob, durationMs: 2_000 });
  const load = loadavg()[0];
  const rounds: Round[] = [];
  say(
    `   round  app      req/s   requests  server CPU  client CPU  server CPU/request${database ? '  database CPU/request' : ''}`,
  );
  for (let i = 0; i < 2 * pairs; i++) {
    const which = i % 2 === 0 ? 'bare' : 'roster';
    const cpuStart = process.cpuUsage();
    const databaseStart = database?.();
    const result: ThroughputResult = await loader.throughput({
      ...(which === 'bare' ? bareJob : rosterJob),
      durationMs: seconds * 1000,
    });
    const serverCpuMs = cpuMsSince(cpuStart);
    const databaseEnd = database?.();
    checkClean(`${rosterJob.method ?? 'GET'} ${which}`, result);
    const r: Round = {
      app: which,
      rps: (result.requests / result.elapsedMs) * 1000,
      requests: result.requests,
      serverCpuPct: (serverCpuMs / result.elapsedMs) * 100,
      clientCpuPct: (result.clientCpuMs / result.elapsedMs) * 100,
      serverCpuUsPerRequest: (serverCpuMs * 1000) / result.requests,
      ...(databaseStart !== undefined && databaseEnd !== undefined
        ? { databaseCpuUsPerRequest: ((databaseEnd - databaseStart) * 1000) / result.requests }
        : {}),
    };
    rounds.push(r);
    say(
      `   ${String(i + 1).padEnd(5)}  ${which.padEnd(6)} ${thousands(r.rps).padStart(7)}  ${thousands(r.requests).padStart(9)}` +
        `  ${r.serverCpuPct.toFixed(0).padStart(9)}%  ${r.clientCpuPct.toFixed(0).padStart(9)}%` +
        `  ${r.serverCpuUsPerRequest.toFixed(0).padStart(8)} µs` +
        (r.databaseCpuUsPerRequest === undefined
          ? ''
          : `  ${r.databaseCpuUsPerRequest.toFixed(0).padStart(10)} µs`),
    );
  }
  const of = (app: Round['app']) => rounds.filter((r) => r.app === app);
  const rate = (app: Round['app']) => of(app).reduce((sum, r) => sum + r.rps, 0) / of(app).length;
  const cpuPerRequest = (app: Round['app']) =>
    of(app).reduce((sum, r) => sum + r.serverCpuUsPerRequest * r.requests, 0) /
    of(app).reduce((sum, r) => sum + r.requests, 0);
  const rosterRounds = of('roster');
  const databaseCpuUs = rosterRounds.every((r) => r.databaseCpuUsPerRequest !== undefined)
    ? rosterRounds.reduce((sum, r) => sum + r.databaseCpuUsPerRequest! * r.requests, 0) /
      rosterRounds.reduce((sum, r) => sum + r.requests, 0)
    : undefined;
  const pairRatios = Array.from({ length: pairs }, (_, i) => rounds[2 * i + 1].rps / rounds[2 * i].rps);
  return {
    rounds,
    pairRatios,
    ratio: [...pairRatios].sort((a, b) => a - b)[Math.floor(pairs / 2)],
    rosterRps: rate('roster'),
    bareRps: rate('bare'),
    rosterCpuUs: cpuPerRequest('roster'),
    bareCpuUs: cpuPerRequest('bare'),
    ...(databaseCpuUs === undefined ? {} : { rosterDatabaseCpuUs: databaseCpuUs }),
    load,
  };
}

export function reportPairs(result: PairsResult): void {
  say(
    `   roster ${thousands(result.rosterRps)} req/s, bare express ${thousands(result.bareRps)} req/s (mean of rounds); ` +
      `pair ratios ${result.pairRatios.map((r) => r.toFixed(3)).join(', ')}; median ${result.ratio.toFixed(3)}`,
  );
  say(
    `   (cross-check: server CPU per request roster ${result.rosterCpuUs.toFixed(0)} µs, bare ${result.bareCpuUs.toFixed(0)} µs; ` +
      `bare/roster = ${(result.bareCpuUs / result.rosterCpuUs).toFixed(3)}, the ratio a saturated, uncontended core would give)`,
  );
  if (result.rosterDatabaseCpuUs !== undefined)
    say(
      `   (the database server on this machine: ${result.rosterDatabaseCpuUs.toFixed(0)} µs of CPU per Roster request, ` +
        `on the same CPUs)`,
    );
}

export function pairsJson(result: PairsResult) {
  return {
    rosterRps: round(result.rosterRps, 0),
    bareRps: round(result.bareRps, 0),
    pairRatios: result.pairRatios.map((r) => round(r, 3)),
    ratio: round(result.ratio, 3),
    serverCpuUsPerRequest: { roster: round(result.rosterCpuUs, 0), bare: round(result.bareCpuUs, 0) },
    cpuCostRatio: round(result.bareCpuUs / result.rosterCpuUs, 3),
    ...(result.rosterDatabaseCpuUs === undefined
      ? {}
      : { databaseCpuUsPerRequest: round(result.rosterDatabaseCpuUs, 0) }),
    loadAverage: round(result.load, 2),
  };
}
