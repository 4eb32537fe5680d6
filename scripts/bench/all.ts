/**
 * `npm run bench`: every goal on SQLite and on MariaDB in one run, each figure a ratio against a
 * bare express app measured just before it on the same machine, or a time or a size. Runs, one
 * after the other, run.ts on SQLite, run.ts on MariaDB (a database created for the run and
 * dropped after), each followed by its HR sync; then prints one table of goals. docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatFigure, goalSpecs, judge, type GoalKey, type GoalResult } from './goals';
import { currentLoad } from './goals';

const here = __dirname;

interface Options {
  mariadbUrl: string;
  mariadb: boolean;
  hrMariadbRows: number;
  seconds: string;
}

/** Runs one bench script, passing its report through, and returns the goals of its JSON line. */
function runScript(script: string, args: string[], node: string[] = []): Promise<GoalResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, join(here, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    child.once('exit', (code) => {
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{') && l.includes('"goals"'));
      if (code !== 0 || !line) reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      else resolve((JSON.parse(line) as { goals: GoalResult[] }).goals);
    });
  });
}

function cell(result: GoalResult | undefined): string {
  if (!result) return 'not run';
  const { verdict } = judge(result);
  return `${formatFigure(result)} ${verdict === 'no goal' ? '(no goal)' : verdict} @${result.load.toFixed(1)}`;
}

function goalColumn(key: GoalKey): string {
  const spec = goalSpecs[key];
  const one = (v: number | null) =>
    v === null ? '—' : `${spec.kind === 'min' ? '≥' : '≤'} ${v}${spec.unit ? ` ${spec.unit}` : ''}`;
  return spec.goal.sqlite === spec.goal.mariadb
    ? one(spec.goal.sqlite)
    : `${one(spec.goal.sqlite)} / ${one(spec.goal.mariadb)}`;
}

async function main(): Promise<void> {
  const options = new Command()
    .name('bench')
    .description('Every Roster goal on SQLite and MariaDB (docs/benchmarks.md)')
    .option(
      '--mariadb-url <url>',
      'MariaDB server (a database roster_bench_<pid> is created and dropped)',
      'mariadb://root@127.0.0.1:3306',
    )
    .option('--no-mariadb', 'SQLite only')
    .option(
      '--hr-mariadb-rows <n>',
      'rows of the HR export on MariaDB (100,000 take about 20 min there)',
      (v) => Number(v),
      10_000,
    )
    .option('--seconds <n>', 'length of each throughput round', '4')
    .parse(process.argv)
    .opts<Options>();
  const started = performance.now();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const loadAtStart = currentLoad();
  const maria = (suffix: string) =>
    `${options.mariadbUrl.replace(/\/+$/, '')}/roster_bench_${process.pid}_${suffix}`;
  const results: GoalResult[] = [];
  const section = (title: string) =>
    process.stdout.write(`\n==== ${title} ${'='.repeat(Math.max(0, 90 - title.length))}\n\n`);

  // Each database's HR sync right after its own run: MariaDB's purge of a finished run goes on in
  // the background for a minute and would otherwise share the CPUs with the SQLite HR sync.
  section('SQLite');
  results.push(...(await runScript('run.js', ['--seconds', options.seconds], ['--expose-gc'])));
  section('HR sync, SQLite');
  results.push(...(await runScript('hr-sync.js', [])));
  if (options.mariadb) {
    section('MariaDB');
    results.push(
      ...(await runScript(
        'run.js',
        ['--seconds', options.seconds, '--database-url', maria('main')],
        ['--expose-gc'],
      )),
    );
    section('HR sync, MariaDB');
    results.push(
      ...(await runScript('hr-sync.js', [
        '--rows',
        String(options.hrMariadbRows),
        '--once',
        '--database-url',
        maria('hr'),
      ])),
    );
  }

  const minutes = (performance.now() - started) / 60_000;
  section('Goals');
  process.stdout.write(
    `Command: ${command}   Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}\n` +
      `Load average (1 min): ${loadAtStart.toFixed(1)} at the start; each figure below shows the load when it was taken (@).\n` +
      `Ratios are Roster req/s / bare express req/s in the same process, median of 3 adjacent pairs.\n\n`,
  );
  const rows = (Object.keys(goalSpecs) as GoalKey[]).map((key) => {
    const of = (db: 'sqlite' | 'mariadb') => results.find((r) => r.key === key && r.database === db);
    return [goalSpecs[key].label, goalColumn(key), cell(of('sqlite')), cell(of('mariadb'))];
  });
  const header = ['goal', 'target (SQLite / MariaDB)', 'SQLite', 'MariaDB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n\n`,
  );
  const judged = results.map(judge).filter((j) => j.verdict !== 'no goal');
  const missed = judged.filter((j) => j.verdict === 'MISS').length;
  process.stdout.write(
    `${judged.length - missed} of ${judged.length} goals met${missed ? ` (${missed} missed)` : ''}; whole run ${minutes.toFixed(1)} min, load average ${currentLoad().toFixed(1)} at the end.\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ bench: 'all', command, loadAtStart, minutes, goals: results })}\n`,
  );
}

const watchdog = setTimeout(() => {
  process.stderr.write('bench: still running after 25 min; giving up\n');
  process.exit(2);
}, 25 * 60_000);
watchdog.unref();
main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
