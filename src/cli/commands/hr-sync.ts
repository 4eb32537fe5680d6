import { closeSync, openSync, writeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { Actor } from '../../domain/actor';
import { loadMapping, readHrExport } from '../../adapters/hr/export-reader';
import { formatFor, reportOf, reportPieces, type HrReport } from '../../adapters/hr/report';
import { useBatchSettings } from '../../adapters/storage/batch-settings';
import { operatorName, withAccount } from '../context';

/** Exit codes of `roster hr-sync` (docs/hr-sync.md). */
export const hrSyncExit = { done: 0, error: 1, stopped: 4, rowsSkipped: 5, seatLimit: 6 } as const;

interface HrSyncCliOptions {
  account: string;
  file: string;
  mapping?: string;
  dryRun?: boolean;
  json?: boolean;
  report?: string;
  allowMass?: boolean;
  adopt?: boolean;
}

/** `roster hr-sync`: reads an HR export and brings the account's users to match it. */
export function hrSyncCommand(): Command {
  return new Command('hr-sync')
    .description("Bring an account's users in line with an HR export (CSV)")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--file <path>', 'the HR export (CSV with a header row)')
    .option('--mapping <path>', 'JSON file naming the export column of each field (docs/hr-sync.md)')
    .option('--dry-run', 'print the plan a real run would apply; write nothing')
    .option('--json', 'print the report as JSON')
    .option('--report <path>', 'also write the report to a file (.json, .csv, or text)')
    .option('--allow-mass', 'apply even past the mass-deactivation brake (audited)')
    .option('--adopt', 'take over existing users the export matches but does not own yet')
    .action(async (options: HrSyncCliOptions) => {
      const collect = fullCollector();
      const progress = progressReporter(collect);
      await withAccount(options.account, async (roster, { accountId }) => {
        const actor: Actor = { kind: 'operator', accountId, operator: operatorName(), channel: 'hr-sync' };
        const rows = await readHrExport(options.file, loadMapping(options.mapping));
        collect(); // the parser's garbage, before the plan adds its own
        progress.note(`read ${rows.length} rows from ${options.file}`);
        await useBatchSettings(roster.dataSource);
        const result = await roster.services.hrSync.sync(actor, rows, {
          dryRun: options.dryRun === true,
          allowMass: options.allowMass === true,
          adopt: options.adopt === true,
          onProgress: progress.update,
        });
        progress.stop();
        const report = reportOf(result);
        if (options.report) writeReportFile(options.report, report);
        // stdout is synchronous for files and pipes on Linux, so a piece is out before the next is made.
        for (const text of reportPieces(report, options.json ? 'json' : 'text')) process.stdout.write(text);
        if (result.stopped) {
          process.stderr.write(`roster: ${result.stopped}\n`);
          process.exitCode = hrSyncExit.stopped;
        } else if (report.counts.seatLimited > 0) {
          process.stderr.write(
            `roster: ${report.counts.seatLimited} not provisioned: the account's seat limit is reached\n`,
          );
          process.exitCode = hrSyncExit.seatLimit;
        } else if (report.counts.skipped + report.counts.failed > 0) {
          process.exitCode = hrSyncExit.rowsSkipped;
        }
      });
    });
}

/** Writes the report file piece by piece, never the whole report as one string. */
function writeReportFile(path: string, report: HrReport): void {
  const fd = openSync(path, 'w');
  try {
    for (const text of reportPieces(report, formatFor(path))) writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** A progress bar on a terminal; elsewhere (logs, CI) a plain line about every tenth of the way. */
function progressReporter(collect: () => void) {
  const tty = process.stderr.isTTY === true;
  let sinceCollect = 0;
  let bar: SingleBar | null = null;
  let lastTenth = -1;
  return {
    note: (text: string) => process.stderr.write(`hr-sync: ${text}\n`),
    update: (done: number, total: number) => {
      // Before the first chunk (the plan's scaffolding is garbage by then), then every 5,000 changes.
      if (done === 0 || done - sinceCollect >= 5_000) {
        sinceCollect = done;
        collect();
      }
      if (tty) {
        bar ??= new SingleBar(
          { format: 'hr-sync [{bar}] {value}/{total} changes', stream: process.stderr },
          Presets.shades_classic,
        );
        if (done === 0) bar.start(total, 0);
        else bar.update(done);
        return;
      }
      if (done === 0) return;
      const tenth = Math.floor((done / total) * 10);
      if (tenth === lastTenth && done !== total) return;
      lastTenth = tenth;
      process.stderr.write(`hr-sync: applied ${done}/${total} changes\n`);
    },
    stop: () => bar?.stop(),
  };
}

/**
 * A full garbage collection, run every 5,000 changes. A bulk run allocates fast, and V8 lets the
 * heap grow to several times what is live before it collects; collecting on a schedule keeps a
 * 100,000-row run's RSS near its live memory (docs/benchmarks.md). A no-op where unavailable.
 */
function fullCollector(): () => void {
  setFlagsFromString('--expose-gc');
  // A smaller young generation (default up to 16 MiB a semi-space): short-lived garbage of a bulk run is collected sooner.
  setFlagsFromString('--max-semi-space-size=4');
  // After a full collection V8 lets the old generation grow up to several times what is live before
  // the next; 30% keeps planning 100,000 rows near its live set (295 -> 233 MiB, the same time).
  setFlagsFromString('--heap-growing-percent=30');
  const gc = runInNewContext('gc') as unknown;
  return typeof gc === 'function' ? (gc as () => void) : () => undefined;
}
