import { spreadsheetCsv } from '../reports/csv';
import type { HrChangeKind, HrIssue } from '../../domain/hr-sync/hr-types';
import type { HrSyncResult } from '../../domain/hr-sync/hr-sync-service';

export type ReportFormat = 'text' | 'json' | 'csv';

/** Parts of a planned change the service needs but the report does not show. */
const internal = new Set(['fields', 'pending', 'adopt']);

const kinds: HrChangeKind[] = ['create', 'update', 'reactivate', 'deactivate', 'schedule'];

/** The run's report: counts, each change with its reason, and each row skipped or refused. */
export function reportOf(result: HrSyncResult) {
  const { plan } = result;
  const counts: Record<string, number> = { rows: plan.rows };
  for (const kind of kinds) counts[kind] = 0;
  for (const change of plan.changes) counts[change.kind] += 1;
  counts.skipped = plan.issues.length;
  counts.failed = result.failures.length;
  counts.seatLimited = result.failures.filter((f) => f.code === 'account.seat_limit_reached').length;
  return {
    status: result.stopped ? 'stopped' : result.dryRun ? 'dry-run' : 'applied',
    message: result.stopped,
    counts,
    // The plan's own objects (no copy of 100,000 changes); the JSON writer leaves out what the report does not show.
    changes: plan.changes,
    skipped: plan.issues,
    failed: result.failures,
  };
}

export type HrReport = ReturnType<typeof reportOf>;

export function formatReport(report: HrReport, format: ReportFormat): string {
  return [...reportPieces(report, format)].join('');
}

/**
 * The report in pieces of about a thousand lines, for writing as it is made: the report of a
 * 100,000-change run is tens of MB as one string (docs/benchmarks.md).
 */
export function* reportPieces(report: HrReport, format: ReportFormat): Generator<string> {
  if (format === 'json') yield* jsonReport(report);
  else if (format === 'csv') yield* csvReport(report);
  else yield* textReport(report);
}

const piece = 1000;

function* inPieces<T>(items: readonly T[], text: (item: T) => string): Generator<string> {
  for (let from = 0; from < items.length; from += piece) {
    yield items
      .slice(from, from + piece)
      .map(text)
      .join('');
  }
}

const withoutInternal = (key: string, value: unknown) => (internal.has(key) ? undefined : value);

/** JSON with one change or issue per line. */
function* jsonReport(report: HrReport): Generator<string> {
  const head = { status: report.status, message: report.message, counts: report.counts };
  yield `${JSON.stringify(head).slice(0, -1)},\n`;
  const lists = [
    ['changes', report.changes],
    ['skipped', report.skipped],
    ['failed', report.failed],
  ] as const;
  for (const [index, [name, items]] of lists.entries()) {
    yield `"${name}":[`;
    yield* inPieces(
      items as readonly object[],
      (item) => `${item === items[0] ? '' : ','}\n${JSON.stringify(item, withoutInternal)}`,
    );
    yield `]${index < lists.length - 1 ? ',' : ''}\n`;
  }
  yield '}\n';
}

/** The format a report file gets from its extension: .json, .csv, else text. */
export function formatFor(path: string): ReportFormat {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.csv$/i.test(path)) return 'csv';
  return 'text';
}

function* textReport(report: HrReport): Generator<string> {
  const c = report.counts;
  const heading =
    report.status === 'dry-run'
      ? 'HR sync dry run: nothing was written; a real run would apply this plan.'
      : report.status === 'stopped'
        ? `HR sync stopped: ${report.message}`
        : c.seatLimited > 0
          ? `HR sync applied, except for ${c.seatLimited} ${c.seatLimited === 1 ? 'person' : 'people'} refused by the account's seat limit (roster accounts set-seats).`
          : 'HR sync applied.';
  const lines = [
    heading,
    `${c.rows} rows: ${c.create} to create, ${c.update} to update, ${c.reactivate} to reactivate, ` +
      `${c.deactivate} to deactivate, ${c.schedule} date changes, ${c.skipped} skipped, ${c.failed} failed.`,
  ];
  yield `${lines.join('\n')}\n`;
  yield* inPieces(
    report.changes,
    (ch) => `${ch.kind.padEnd(10)} ${lineOf(ch.line)} ${ch.employeeId} ${ch.email}: ${ch.reason}\n`,
  );
  yield* inPieces(report.skipped, (issue) => `${issueLine('skipped', issue)}\n`);
  yield* inPieces(report.failed, (issue) => `${issueLine('failed', issue)}\n`);
}

/** Emails, ids and reasons come from the HR export: escaped like every spreadsheet-bound report (csv.ts). */
function* csvReport(report: HrReport): Generator<string> {
  yield spreadsheetCsv([['kind', 'line', 'employee_id', 'email', 'user_id', 'reason']]);
  const csv = (row: unknown[]) => spreadsheetCsv([row]);
  yield* inPieces(report.changes, (ch) =>
    csv([ch.kind, ch.line ?? '', ch.employeeId, ch.email, ch.userId, ch.reason]),
  );
  for (const [kind, issues] of [
    ['skipped', report.skipped],
    ['failed', report.failed],
  ] as const) {
    yield* inPieces(issues, (i) => csv([kind, i.line, i.employeeId ?? '', i.email ?? '', '', i.problem]));
  }
}

function lineOf(line: number | null): string {
  return (line === null ? '-' : `line ${line}`).padEnd(11);
}

function issueLine(kind: string, issue: HrIssue): string {
  const who = [issue.employeeId ?? '-', issue.email].filter(Boolean).join(' ');
  return `${kind.padEnd(10)} ${lineOf(issue.line)} ${who}: ${issue.problem}`;
}
