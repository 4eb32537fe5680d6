import { foldCase } from '../text';
import type { UserId } from '../ids';
import { validateRows, type ValidRow } from './hr-rows';
import type {
  HrChange,
  HrFields,
  HrIssue,
  HrPlan,
  HrRow,
  HrTombstone,
  HrUserState,
  PendingChange,
} from './hr-types';

export interface PlanInput {
  rows: readonly HrRow[];
  /** Users the export owns. */
  owned: readonly HrUserState[];
  /** Users it does not own that share an employee id or email with a row. */
  unowned: readonly HrUserState[];
  pending: readonly PendingChange[];
  /** Deleted users of the account: a new hire matching one gets their id back (rehire). */
  tombstones: readonly HrTombstone[];
  activeUsers: number;
  ownerId: UserId | null;
  now: number;
  /** Take over unowned users matched by employee id or email (--adopt). */
  adopt: boolean;
  newId: () => UserId;
}

/** A valid row bound to the user it describes (existing, or to be created with `userId`). */
interface Target extends ValidRow {
  userId: UserId;
  /** A new user who takes back the id of a deleted one. */
  rehired: boolean;
}

/** The row itself becomes the target (no copy: a plan may bind 100,000 of them). */
function bind(v: ValidRow, userId: UserId, current: HrUserState | null, rehired = false): Target {
  const t = v as Target;
  t.userId = userId;
  t.current = current;
  t.managerId = null;
  t.rehired = rehired;
  return t;
}

/**
 * The pure diff of an HR export against the account's users: which users to create, update,
 * deactivate or reactivate, and why. The same plan is printed by --dry-run and applied by a run.
 * Matching is by employee id, then email, so one person never becomes two users.
 */
export function planHrSync(input: PlanInput): HrPlan {
  const { valid, issues } = validateRows(input.rows);
  const index = new UserIndex(input.owned, input.unowned, input.tombstones);
  const targets = bindTargets(valid, index, input, issues);
  resolveManagers(targets, index, issues);
  const pendingByUser = groupPending(input.pending);
  const changes: HrChange[] = [];
  const managers = new Set<UserId | null>();
  for (const t of targets) managers.add(t.managerId);
  for (const target of orderedForCreation(targets, issues)) {
    const change = changeFor(target, pendingByUser.get(target.userId) ?? [], input, managers);
    if (change) changes.push(change);
  }
  // Only built when the account has owned users (a first run has none: no set of 100,000 ids).
  const mentioned = new Set<string>();
  if (input.owned.length > 0) for (const r of input.rows) if (r.employeeId) mentioned.add(r.employeeId);
  for (const user of input.owned) {
    if (user.employeeId !== null && mentioned.has(user.employeeId)) continue;
    const change = leaverChange(user, pendingByUser.get(user.userId) ?? [], input.ownerId);
    if (change) changes.push(change);
  }
  issues.sort((a, b) => a.line - b.line);
  return {
    changes,
    issues,
    rows: input.rows.length,
    activeUsers: input.activeUsers,
    deactivations: changes.filter((c) => c.kind === 'deactivate').length,
  };
}

class UserIndex {
  readonly ownedById = new Map<string, HrUserState>();
  readonly ownedByEmail = new Map<string, HrUserState>();
  readonly unownedById = new Map<string, HrUserState>();
  readonly unownedByEmail = new Map<string, HrUserState>();
  private readonly buriedById = new Map<string, HrTombstone>();
  private readonly buriedByEmail = new Map<string, HrTombstone>();

  constructor(
    owned: readonly HrUserState[],
    unowned: readonly HrUserState[],
    tombstones: readonly HrTombstone[],
  ) {
    // Oldest first, so the latest deletion of a person wins.
    for (const t of tombstones) {
      if (t.employeeId !== null) this.buriedById.set(t.employeeId, t);
      this.buriedByEmail.set(foldCase(t.email), t);
    }
    for (const u of owned) {
      if (u.employeeId !== null) this.ownedById.set(u.employeeId, u);
      this.ownedByEmail.set(foldCase(u.email), u);
    }
    for (const u of unowned) {
      if (u.employeeId !== null) this.unownedById.set(u.employeeId, u);
      this.unownedByEmail.set(foldCase(u.email), u);
    }
  }

  /** Whoever already holds `email`, owned or not. */
  holderOf(email: string): HrUserState | undefined {
    return this.ownedByEmail.get(email) ?? this.unownedByEmail.get(email);
  }

  /**
   * The deleted user this row brings back: by employee id, else by email. Taken once, so two rows
   * never get the same id.
   */
  takeBuried(employeeId: string, email: string): UserId | null {
    const buried = this.buriedById.get(employeeId) ?? this.buriedByEmail.get(email);
    if (!buried) return null;
    if (buried.employeeId !== null) this.buriedById.delete(buried.employeeId);
    this.buriedByEmail.delete(foldCase(buried.email));
    return buried.userId;
  }

  existingEmployee(employeeId: string): HrUserState | undefined {
    return this.ownedById.get(employeeId) ?? this.unownedById.get(employeeId);
  }
}

function bindTargets(valid: ValidRow[], index: UserIndex, input: PlanInput, issues: HrIssue[]): Target[] {
  const targets: Target[] = [];
  const skip = (v: ValidRow, problem: string) =>
    issues.push({ line: v.row.line, employeeId: v.employeeId, problem });
  for (const v of valid) {
    const owned = index.ownedById.get(v.employeeId);
    if (owned) {
      const holder = index.holderOf(v.email);
      if (holder && holder.userId !== owned.userId) {
        skip(v, `email ${v.email} already belongs to another user`);
        continue;
      }
      targets.push(bind(v, owned.userId, owned));
      continue;
    }
    const ownedByEmail = index.ownedByEmail.get(v.email);
    if (ownedByEmail) {
      skip(v, `email ${v.email} already belongs to employee ${ownedByEmail.employeeId ?? '?'}`);
      continue;
    }
    const unowned = index.unownedById.get(v.employeeId) ?? index.unownedByEmail.get(v.email);
    if (unowned && !input.adopt) {
      skip(v, `user ${unowned.email} exists and is not managed by the HR sync (--adopt takes it over)`);
      continue;
    }
    if (unowned) {
      targets.push(bind(v, unowned.userId, unowned));
      continue;
    }
    const buried = index.takeBuried(v.employeeId, v.email);
    targets.push(buried ? bind(v, buried, null, true) : bind(v, input.newId(), null));
  }
  return targets;
}

/**
 * A manager is a row of this export or an existing user with that employee id. A row whose
 * manager is neither is skipped, which can in turn leave its own reports without a manager.
 */
function resolveManagers(targets: Target[], index: UserIndex, issues: HrIssue[]): void {
  let byId = new Map(targets.map((t) => [t.employeeId, t]));
  for (let changed = true; changed;) {
    changed = false;
    for (const t of byId.values()) {
      const managerEmployee = t.row.managerEmployeeId;
      if (!managerEmployee) continue;
      const managerId = byId.get(managerEmployee)?.userId ?? index.existingEmployee(managerEmployee)?.userId;
      if (managerId) {
        t.managerId = managerId;
        continue;
      }
      issues.push({
        line: t.row.line,
        employeeId: t.employeeId,
        problem: `unknown manager ${managerEmployee}`,
      });
      byId.delete(t.employeeId);
      changed = true;
    }
  }
  const kept = new Set(byId.values());
  const remaining = targets.filter((t) => kept.has(t));
  targets.length = 0;
  targets.push(...remaining);
  byId = new Map();
}

/**
 * New users come after their new managers (a user's manager must exist when it is written, and a
 * run killed between chunks must never leave a report pointing at nobody). A loop of new users
 * managing each other cannot be created in any order: those rows are skipped.
 */
function orderedForCreation(targets: Target[], issues: HrIssue[]): Target[] {
  const newById = new Map<UserId, Target>();
  for (const t of targets) if (!t.current) newById.set(t.userId, t);
  const depth = new Map<UserId, number>();
  const looped = new Set<UserId>();
  for (const start of newById.values()) {
    const chain: Target[] = [];
    const onChain = new Set<UserId>();
    let at: Target | undefined = start;
    while (at && !depth.has(at.userId) && !onChain.has(at.userId) && !looped.has(at.userId)) {
      chain.push(at);
      onChain.add(at.userId);
      at = at.managerId ? newById.get(at.managerId) : undefined;
    }
    const bad = at !== undefined && (onChain.has(at.userId) || looped.has(at.userId));
    let d = at && !bad ? (depth.get(at.userId) as number) + 1 : 0;
    for (const t of chain.reverse()) {
      if (bad) looped.add(t.userId);
      else depth.set(t.userId, d++);
    }
  }
  for (const t of targets) {
    if (looped.has(t.userId)) {
      issues.push({ line: t.row.line, employeeId: t.employeeId, problem: 'managers form a loop' });
    }
  }
  const kept = targets.filter((t) => !looped.has(t.userId));
  const creates = kept
    .filter((t) => !t.current)
    .sort((a, b) => (depth.get(a.userId) ?? 0) - (depth.get(b.userId) ?? 0));
  return [...creates, ...kept.filter((t) => t.current)];
}

/** Shared by every change with no dates pending: a plan may hold 100,000 of them. */
const noPending: PendingChange[] = [];

function desiredOf(t: Target, now: number): { fields: HrFields; pending: PendingChange[] } {
  const startsLater = t.start !== null && t.start > now;
  const ended = t.end !== null && t.end <= now;
  if (!t.employed || ((!startsLater || ended) && (t.end === null || ended))) {
    return { fields: fieldsOf(t, startsLater, ended), pending: noPending };
  }
  const pending: PendingChange[] = [];
  if (t.employed && startsLater && !ended)
    pending.push({ userId: t.userId, kind: 'activate', dueAt: t.start as number });
  if (t.employed && t.end !== null && !ended)
    pending.push({ userId: t.userId, kind: 'deactivate', dueAt: t.end });
  return { fields: fieldsOf(t, startsLater, ended), pending };
}

function fieldsOf(t: Target, startsLater: boolean, ended: boolean): HrFields {
  const { row } = t;
  return {
    email: row.email as string,
    givenName: row.givenName,
    familyName: row.familyName,
    department: row.department,
    title: row.title,
    managerId: t.managerId,
    active: t.employed && !startsLater && !ended,
  };
}

function changeFor(
  t: Target,
  pendingNow: PendingChange[],
  input: PlanInput,
  managers: ReadonlySet<UserId | null>,
): HrChange | null {
  const { fields, pending } = desiredOf(t, input.now);
  const base = { userId: t.userId, employeeId: t.employeeId, line: t.row.line, email: fields.email };
  const when = describePending(pending);
  if (!t.current) {
    // A leaver we never had is left out, unless rows name them as manager: then they exist, inactive.
    const managesOthers = managers.has(t.userId);
    if (!fields.active && pending.length === 0 && !managesOthers) return null;
    const reason = t.rehired
      ? `rehired after deletion: keeps their former user id${fields.active ? '' : ', inactive'}`
      : fields.active
        ? 'new hire'
        : pending.length > 0
          ? 'new hire, created inactive until the start date'
          : 'former employee created inactive: other rows name them as manager';
    return { ...base, kind: 'create', reason: withWhen(reason, when), fields, pending };
  }
  const current = t.current;
  const differences = changedFields(current, fields);
  const pendingChanged = !samePending(pendingNow, pending);
  const adopt = !current.owned;
  if (differences.length === 0 && !pendingChanged && !adopt) return null;
  const kind =
    current.active === fields.active
      ? differences.length > 0 || adopt
        ? 'update'
        : 'schedule'
      : fields.active
        ? 'reactivate'
        : 'deactivate';
  const reasons: string[] = [];
  if (adopt) reasons.push('taken over from an existing user (--adopt)');
  if (kind === 'reactivate') reasons.push('employed again (rehire)');
  if (kind === 'deactivate') reasons.push(leaveReason(t, input.now));
  const others = differences.filter((d) => d !== 'active');
  if (others.length > 0) reasons.push(`changed: ${others.join(', ')}`);
  if (kind === 'deactivate' && t.userId === input.ownerId) reasons.push(ownerNote);
  const reason = withWhen(
    reasons.join('; ') || 'dates changed',
    pendingChanged ? when || 'no dates pending' : '',
  );
  return {
    ...base,
    kind,
    reason,
    fields,
    pending: pendingChanged || adopt ? pending : undefined,
    adopt: adopt || undefined,
  };
}

const ownerNote = "the account's Owner: the account is flagged as needing an ownership transfer";

function leaveReason(t: Target, now: number): string {
  if (!t.employed) return `status ${t.row.status ?? ''}`.trim();
  if (t.end !== null && t.end <= now) return `termination date ${t.row.terminationDate} has passed`;
  return `start date ${t.row.startDate} is still to come`;
}

function leaverChange(
  user: HrUserState,
  pendingNow: PendingChange[],
  ownerId: UserId | null,
): HrChange | null {
  const base = { userId: user.userId, employeeId: user.employeeId ?? '', line: null, email: user.email };
  if (user.active) {
    const reason =
      user.userId === ownerId ? `no longer in the export; ${ownerNote}` : 'no longer in the export';
    return { ...base, kind: 'deactivate', reason, pending: noPending };
  }
  if (pendingNow.length === 0) return null;
  return {
    ...base,
    kind: 'schedule',
    reason: 'no longer in the export: pending dates dropped',
    pending: noPending,
  };
}

function changedFields(current: HrUserState, next: HrFields): string[] {
  const names: (keyof HrFields)[] = [
    'email',
    'givenName',
    'familyName',
    'department',
    'title',
    'managerId',
    'active',
  ];
  return names.filter((name) =>
    name === 'email'
      ? foldCase(current.email) !== foldCase(next.email) || current.email !== next.email
      : current[name] !== next[name],
  );
}

function samePending(a: readonly PendingChange[], b: readonly PendingChange[]): boolean {
  const key = (list: readonly PendingChange[]) =>
    list
      .map((p) => `${p.kind}@${p.dueAt}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

function describePending(pending: PendingChange[]): string {
  return pending
    .map(
      (p) => `${p.kind === 'activate' ? 'activates' : 'deactivates'} at ${new Date(p.dueAt).toISOString()}`,
    )
    .join(', ');
}

function withWhen(reason: string, when: string): string {
  return when ? `${reason} (${when})` : reason;
}

function groupPending(pending: readonly PendingChange[]): Map<UserId, PendingChange[]> {
  const byUser = new Map<UserId, PendingChange[]>();
  for (const p of pending) {
    const list = byUser.get(p.userId);
    if (list) list.push(p);
    else byUser.set(p.userId, [p]);
  }
  return byUser;
}
