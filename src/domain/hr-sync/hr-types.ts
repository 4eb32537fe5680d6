import type { AccountId, UserId } from '../ids';

/**
 * One row of an HR export, as the reader found it (trimmed, empty cells null). The planner, not
 * the reader, decides whether it is valid, so the rules stay in the domain.
 */
export interface HrRow {
  /** The line of the file (the header is line 1), for the report. */
  line: number;
  employeeId: string | null;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  department: string | null;
  title: string | null;
  managerEmployeeId: string | null;
  status: string | null;
  startDate: string | null;
  terminationDate: string | null;
}

/** The HR fields of a user as stored: what the plan compares an export row with. */
export interface HrFields {
  email: string;
  givenName: string | null;
  familyName: string | null;
  department: string | null;
  title: string | null;
  managerId: UserId | null;
  active: boolean;
}

export interface HrUserState extends HrFields {
  userId: UserId;
  /** The employee id the export owns the user under, or (not owned) the user's employee number. */
  employeeId: string | null;
  owned: boolean;
}

/** What is left of a deleted user that an export may bring back (user_tombstones). */
export interface HrTombstone {
  userId: UserId;
  employeeId: string | null;
  email: string;
}

export type PendingKind = 'activate' | 'deactivate';

/** A start or termination date still to come; the hr-due-dates sweep applies it when due. */
export interface PendingChange {
  userId: UserId;
  kind: PendingKind;
  dueAt: number;
}

export interface DuePendingChange extends PendingChange {
  id: string;
  accountId: AccountId;
}

export type HrChangeKind = 'create' | 'update' | 'deactivate' | 'reactivate' | 'schedule';

/** One change of the plan, with why; compact, because a plan may hold 100,000 of them. */
export interface HrChange {
  kind: HrChangeKind;
  userId: UserId;
  employeeId: string;
  /** Null for an owned user the export no longer lists. */
  line: number | null;
  reason: string;
  /** The fields to write (create, update, reactivate, deactivate of a listed row); absent: only `active` moves. */
  fields?: HrFields;
  /** The user's pending dates after the change; absent: left as they are. */
  pending?: PendingChange[];
  /** An existing user the export takes over (--adopt). */
  adopt?: boolean;
  /** The person's email, for the report. */
  email: string;
}

export interface HrIssue {
  line: number;
  employeeId: string | null;
  problem: string;
  /** A change the domain refused: the person's email and the error's code (e.g. account.seat_limit_reached). */
  email?: string;
  code?: string;
}

export interface HrPlan {
  changes: HrChange[];
  issues: HrIssue[];
  rows: number;
  /** Active users of the account now, and how many the plan deactivates: the brake's inputs. */
  activeUsers: number;
  deactivations: number;
}
