import { stringify } from 'csv-stringify/sync';
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
  if (format === 'json')
    return `${JSON.stringify(report, (key, value: unknown) => (internal.has(key) ? undefined : value), 2)}\n`;
  if (format === 'csv') return csvReport(report);
  return textReport(report);
}

/** The format a report file gets from its extension: .json, .csv, else text. */
export function formatFor(path: string): ReportFormat {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.csv$/i.test(path)) return 'csv';
  return 'text';
}

function textReport(report: HrReport): string {
  const c = report.counts;
  const heading =
    report.status === 'dry-run'
      ? 'HR sync dry run: nothing was written; a real run would apply this plan.'
      : report.status === 'stopped'
        ? `HR sync stopped: ${report.message}`
        : 'HR sync applied.';
  const lines = [
    heading,
    `${c.rows} rows: ${c.create} to create, ${c.update} to update, ${c.reactivate} to reactivate, ` +
      `${c.deactivate} to deactivate, ${c.schedule} date changes, ${c.skipped} skipped, ${c.failed} failed.`,
  ];
  for (const ch of report.changes) {
    lines.push(`${ch.kind.padEnd(10)} ${lineOf(ch.line)} ${ch.employeeId} ${ch.email}: ${ch.reason}`);
  }
  for (const issue of report.skipped) lines.push(issueLine('skipped', issue));
  for (const issue of report.failed) lines.push(issueLine('failed', issue));
  return `${lines.join('\n')}\n`;
}

function csvReport(report: HrReport): string {
  const rows = [
    ...report.changes.map((ch) => [ch.kind, ch.line ?? '', ch.employeeId, ch.email, ch.userId, ch.reason]),
    ...report.skipped.map((i) => ['skipped', i.line, i.employeeId ?? '', '', '', i.problem]),
    ...report.failed.map((i) => ['failed', i.line, i.employeeId ?? '', '', '', i.problem]),
  ];
  return stringify(rows, {
    header: true,
    columns: ['kind', 'line', 'employee_id', 'email', 'user_id', 'reason'],
  });
}

function lineOf(line: number | null): string {
  return (line === null ? '-' : `line ${line}`).padEnd(11);
}

function issueLine(kind: string, issue: HrIssue): string {
  return `${kind.padEnd(10)} ${lineOf(issue.line)} ${issue.employeeId ?? '-'}: ${issue.problem}`;
}
