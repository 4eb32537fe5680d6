import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { generateExport } from '../hr/generate-export';
import { generateRealisticExport } from '../hr/realistic-export';
import { openBenchDatabase } from './database';
import { currentLoad, goalLine, type Database, type GoalResult } from './goals';
import { round } from './stats';

/**
 * `npm run bench:hr [-- --rows N] [--shape plain] [--database-url URL]`: writes an N-row HR
 * export (default 100,000, shaped like a real one: scripts/hr/realistic-export.ts), then times
 * `roster hr-sync` on a fresh account as a user runs it (the real CLI, its own process), twice,
 * sampling that process's peak RSS (VmHWM) and CPU time. Goals on SQLite: under 60 s, under 300 MB.
 */
const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'roster.js');

interface Run {
  seconds: number;
  /** CPU time used (sampled until its last 100 ms): on a shared machine, the figure that does not depend on the neighbours. */
  cpuSeconds: number;
  peakRssMiB: number;
  status: number | null;
  load: number;
  report: { counts: Record<string, number> };
}

function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of a running process (Linux /proc; 100 ticks a second). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function timedSync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const load = currentLoad();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    let peak = 0;
    let cpu = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const sampler = setInterval(() => {
      peak = Math.max(peak, peakRss(child.pid as number));
      cpu = Math.max(cpu, cpuSeconds(child.pid as number));
    }, 100);
    child.once('exit', (status) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({
        seconds,
        cpuSeconds: cpu,
        peakRssMiB: peak,
        status,
        load,
        report: JSON.parse(stdout) as Run['report'],
      });
    });
  });
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--rows <n>', 'rows in the export', (v) => Number(v), 100_000)
    .option('--shape <shape>', 'realistic (shuffled tree, quoted cells, non-ASCII) or plain', 'realistic')
    .option('--database-url <url>', 'mariadb://root@127.0.0.1:3306/<db> (default: a fresh SQLite file)')
    .option('--once', 'run the sync once, not twice')
    .parse(process.argv)
    .opts<{ rows: number; shape: string; databaseUrl?: string; once?: boolean }>();
  const db = await openBenchDatabase(options.databaseUrl);
  const database: Database = db.dialect === 'sqlite' ? 'sqlite' : 'mariadb';
  try {
    const file = join(db.dir, 'export.csv');
    const stats =
      options.shape === 'plain'
        ? (await generateExport(options.rows, file), null)
        : await generateRealisticExport(options.rows, file);
    const env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const created = spawnSync(
      process.execPath,
      [cli, 'accounts', 'create', '--name', 'Bench', '--owner-email', 'owner@bench.test', '--json'],
      { cwd: root, env, encoding: 'utf8' },
    );
    const { accountId } = JSON.parse(created.stdout) as { accountId: string };
    const args = ['hr-sync', '--account', accountId, '--file', file, '--json', '--allow-mass'];
    const first = await timedSync(args, env);
    const second = options.once ? null : await timedSync(args, env);
    const c = first.report.counts;
    const shape = stats
      ? `realistic: ${stats.reportsBeforeManager.toLocaleString('en')} reports before their manager, ${stats.quoted.toLocaleString('en')} rows with quoted cells, ` +
        `${stats.nonAscii.toLocaleString('en')} with non-ASCII names, ${stats.pastLeavers} past leavers, ${stats.futureStarts} future starts, ${stats.futureLeavers} future leavers`
      : 'plain (scripts/hr/generate-export.ts)';
    const base = { database, load: first.load };
    const rowsText = options.rows.toLocaleString('en');
    const goals: GoalResult[] = [
      {
        ...base,
        key: 'hrFirstRun',
        figure: first.seconds,
        detail: `(${rowsText} rows; CPU ${first.cpuSeconds.toFixed(1)} s; created ${c.create}, skipped ${c.skipped}, failed ${c.failed}; exit ${first.status})`,
      },
      {
        ...base,
        key: 'hrPeakRss',
        figure: (first.peakRssMiB * 2 ** 20) / 1e6,
        detail: `(${first.peakRssMiB.toFixed(0)} MiB, first run)`,
      },
    ];
    const lines = [
      `HR sync of a ${rowsText}-row export on ${database === 'sqlite' ? 'SQLite' : 'MariaDB'} (roster hr-sync, its own process, from a fresh account)`,
      `   export: ${shape}`,
      ...goals.map(goalLine),
      second
        ? `   second run (the same file): ${second.seconds.toFixed(1)} s, CPU ${second.cpuSeconds.toFixed(1)} s, peak RSS ${second.peakRssMiB.toFixed(0)} MiB, ` +
          `${second.report.counts.create + second.report.counts.update + second.report.counts.deactivate} changes (idempotent)`
        : '   (one run only)',
      JSON.stringify({
        bench: 'hr-sync',
        database,
        rows: options.rows,
        shape: options.shape,
        goals: goals.map((g) => ({ ...g, figure: round(g.figure, 1), load: round(g.load, 2) })),
        first: { ...first, report: undefined, counts: c },
        second: second ? { ...second, report: undefined } : null,
      }),
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:hr failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
