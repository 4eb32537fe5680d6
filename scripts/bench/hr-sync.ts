import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExport } from '../hr/generate-export';

/**
 * `npm run bench:hr [-- --rows N]`: generates an N-row HR export (default 100,000), then times
 * `roster hr-sync` on a fresh SQLite account as a user runs it (the real CLI, its own process)
 * and samples that process's peak RSS (VmHWM, Linux). Goals: under 60 s, under 300 MB.
 */
const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'roster.js');

interface Run {
  seconds: number;
  /** CPU time used (sampled until its last 100 ms): on a shared machine, the figure that does not depend on the neighbours. */
  cpuSeconds: number;
  peakRssMiB: number;
  status: number | null;
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
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
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
        report: JSON.parse(stdout) as Run['report'],
      });
    });
  });
}

async function main(): Promise<void> {
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-hr-'));
  try {
    const file = join(dir, 'export.csv');
    await generateExport(rows, file);
    const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}`, LOG_LEVEL: 'silent' };
    const created = spawnSync(
      process.execPath,
      [cli, 'accounts', 'create', '--name', 'Bench', '--owner-email', 'owner@bench.test', '--json'],
      { cwd: root, env, encoding: 'utf8' },
    );
    const { accountId } = JSON.parse(created.stdout) as { accountId: string };
    const args = ['hr-sync', '--account', accountId, '--file', file, '--json', '--allow-mass'];
    const first = await timedSync(args, env);
    const second = await timedSync(args, env);
    const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const c = first.report.counts;
    process.stdout.write(
      [
        `HR sync of a ${rows.toLocaleString('en')}-row export on SQLite (roster hr-sync, its own process, from a fresh account)`,
        `  first run   ${first.seconds.toFixed(1)} s   goal < 60 s   ${pass(first.seconds < 60)}   (CPU ${first.cpuSeconds.toFixed(1)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)   (created ${c.create}, skipped ${c.skipped}, failed ${c.failed}; exit ${first.status})`,
        `  peak RSS    ${first.peakRssMiB.toFixed(0)} MiB   goal < 300 MB (286 MiB)   ${pass(first.peakRssMiB * 1.048576 < 300)}`,
        `  second run  ${second.seconds.toFixed(1)} s, peak RSS ${second.peakRssMiB.toFixed(0)} MiB, ${second.report.counts.create + second.report.counts.update + second.report.counts.deactivate} changes (idempotent)`,
        JSON.stringify({
          rows,
          first: { ...first, report: undefined, counts: c },
          second: { ...second, report: undefined },
        }),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
