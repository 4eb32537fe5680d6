import { characterCount, foldCase, textLimits } from '../text';
import type { UserId } from '../ids';
import type { HrIssue, HrRow, HrUserState } from './hr-types';

export const dayMs = 24 * 60 * 60_000;

/** A row that passed every check on its own: the planner may act on it. */
export interface ValidRow {
  row: HrRow;
  employeeId: string;
  /** Lowercased: emails match case-insensitively, as userNames do. */
  email: string;
  /** Midnight UTC of the start date. */
  start: number | null;
  /** The instant the termination day ends (UTC): the person keeps access through their last day. */
  end: number | null;
  /** The export's status says employed (active or blank). */
  employed: boolean;
  /** Set by the planner when it binds the row (room kept so binding adds no properties). */
  userId: UserId | null;
  current: HrUserState | null;
  managerId: UserId | null;
  rehired: boolean;
}

// A Map, not an object: a status column saying `constructor` must not find Object.prototype's.
const statuses = new Map<string, boolean>([
  ['active', true],
  ['inactive', false],
  ['terminated', false],
]);

/** An export date is YYYY-MM-DD (UTC); anything else is reported rather than guessed at. */
export function parseDay(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const back = new Date(at);
  return back.getUTCMonth() === month - 1 && back.getUTCDate() === day ? at : null;
}

/**
 * Checks each row alone and against the others (duplicate employee ids or emails: every row
 * sharing one is skipped, as the export cannot say which is right).
 */
export function validateRows(rows: readonly HrRow[]): { valid: ValidRow[]; issues: HrIssue[] } {
  const idCount = countBy(rows, (r) => r.employeeId);
  const emailCount = countBy(rows, (r) => (r.email ? foldCase(r.email) : null));
  const valid: ValidRow[] = [];
  const issues: HrIssue[] = [];
  for (const row of rows) {
    const problem = problemOf(row, idCount, emailCount);
    if (problem) {
      issues.push({ line: row.line, employeeId: row.employeeId, problem });
      continue;
    }
    const end = row.terminationDate ? (parseDay(row.terminationDate) as number) + dayMs : null;
    valid.push({
      row,
      employeeId: row.employeeId as string,
      email: foldCase(row.email as string),
      start: row.startDate ? parseDay(row.startDate) : null,
      end,
      employed: statuses.get((row.status ?? 'active').toLowerCase()) as boolean,
      // The planner binds the row to its user in these slots (no copy of 100,000 rows).
      userId: null,
      current: null,
      managerId: null,
      rehired: false,
    });
  }
  return { valid, issues };
}

function problemOf(row: HrRow, idCount: Map<string, number>, emailCount: Map<string, number>): string | null {
  if (!row.employeeId) return 'no employee id';
  if (!row.email) return 'no email';
  if (characterCount(row.employeeId) > textLimits.name)
    return `employee id is longer than ${textLimits.name} characters`;
  if (characterCount(row.email) > textLimits.name)
    return `email is longer than ${textLimits.name} characters`;
  if (!/^[^\s@]+@[^\s@]+$/.test(row.email)) return `"${row.email}" is not an email address`;
  if ((idCount.get(row.employeeId) ?? 0) > 1) return `employee id ${row.employeeId} is on more than one row`;
  if ((emailCount.get(foldCase(row.email)) ?? 0) > 1) return `email ${row.email} is on more than one row`;
  if (row.startDate && parseDay(row.startDate) === null)
    return `start date "${row.startDate}" is not a date (YYYY-MM-DD)`;
  if (row.terminationDate && parseDay(row.terminationDate) === null)
    return `termination date "${row.terminationDate}" is not a date (YYYY-MM-DD)`;
  if (!statuses.has((row.status ?? 'active').toLowerCase()))
    return `status "${row.status}" is not one of active, inactive, terminated`;
  if (row.managerEmployeeId === row.employeeId) return 'is their own manager';
  return null;
}

function countBy(rows: readonly HrRow[], key: (row: HrRow) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const k = key(row);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
