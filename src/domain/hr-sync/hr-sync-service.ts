import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError, isDomainError } from '../errors';
import type { UserId } from '../ids';
import type { Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { UserService } from '../users/user-service';
import { normalizeUserName } from '../users/user';
import { draftOf, hrDraft } from './hr-draft';
import type { HrChange, HrChangeKind, HrIssue, HrPlan, HrRow } from './hr-types';
import { planHrSync } from './plan';

export interface HrSyncOptions {
  dryRun?: boolean;
  /** Apply even when the plan deactivates more than the allowed share (audited). */
  allowMass?: boolean;
  /** Take over existing users the export matches but does not own yet. */
  adopt?: boolean;
  /** Called before the first chunk (0 done) and after each chunk is committed. */
  onProgress?: (done: number, total: number) => void;
}

export interface HrSyncResult {
  dryRun: boolean;
  /** Why nothing was written (the mass-deprovisioning brake), or null. */
  stopped: string | null;
  plan: HrPlan;
  /** Changes that the domain refused when applied (e.g. a userName taken meanwhile). */
  failures: HrIssue[];
}

/** How many changes one transaction writes: large enough to be fast, small enough not to hold the lock long. */
const chunkSize = 500;

/**
 * Brings an account's users in line with its HR export: plans (pure), checks the brake, then
 * applies the plan in chunks, each one transaction through the UserService rules with its audit
 * events. A run killed between chunks leaves whole chunks only, and the next run plans what is left.
 */
export class HrSyncService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly users: UserService,
    /** HR_SYNC_MAX_DEACTIVATION_SHARE: above it a run stops unless --allow-mass. */
    private readonly maxDeactivationShare: number,
  ) {}

  /**
   * `rows` is consumed: emptied once planned, so the parsed export is not held through the apply
   * (the plan keeps what it needs; docs/benchmarks.md).
   */
  async sync(actor: Actor, rows: HrRow[], options: HrSyncOptions = {}): Promise<HrSyncResult> {
    const plan = await this.plan(actor, rows, options.adopt === true);
    rows.length = 0;
    const result: HrSyncResult = { dryRun: options.dryRun === true, stopped: null, plan, failures: [] };
    const massive = this.isMass(plan);
    if (massive && !options.allowMass) {
      result.stopped =
        `The export would deactivate ${plan.deactivations} of ${plan.activeUsers} active users, more than ` +
        `${Math.round(this.maxDeactivationShare * 100)}%; nothing was written. Check the export, or run again with --allow-mass.`;
      return result;
    }
    if (result.dryRun) return result;
    if (massive) await this.auditMassOverride(actor, plan);
    const counts = countByKind(plan.changes);
    result.failures = await this.apply(actor, leaversFirst(plan.changes), options.onProgress);
    // A run that found nothing to do writes nothing, not even that it ran.
    if (plan.changes.length > 0) await this.auditFinished(actor, plan, counts, result.failures.length);
    return result;
  }

  /** The run's outcome, in the audit log and the change feed (`hr_sync.finished`). */
  private async auditFinished(
    actor: Actor,
    plan: HrPlan,
    counts: Record<HrChangeKind, number>,
    failures: number,
  ): Promise<void> {
    await this.uow.write(actor.accountId, (tx) =>
      recordAudit(tx, actor, this.clock, {
        action: 'hr_sync.finished',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: null,
        after: {
          rows: plan.rows,
          created: counts.create,
          updated: counts.update,
          deactivated: counts.deactivate,
          reactivated: counts.reactivate,
          scheduled: counts.schedule,
          // Counted among the planned changes above: they were refused when applied.
          failures,
          issues: plan.issues.length,
        },
      }),
    );
  }

  /**
   * Applies the start and termination dates due at `now` (the hr-due-dates sweep). Each is its own
   * transaction and removes its pending row, so a second run, or one after a kill, redoes nothing.
   */
  async applyDueDates(now: number): Promise<number> {
    let applied = 0;
    for (;;) {
      const due = await this.uow.read((tx) => tx.hr.due(now, 200));
      if (due.length === 0) return applied;
      for (const change of due) {
        const actor: Actor = {
          kind: 'system',
          accountId: change.accountId,
          job: 'hr-due-dates',
          channel: 'job',
        };
        const done = await this.uow.write(change.accountId, async (tx) => {
          if (!(await tx.hr.removePending(change.id))) return false;
          const user = await tx.users.get(change.accountId, change.userId);
          const active = change.kind === 'activate';
          if (!user || user.active === active) return false;
          await this.users.modifyIn(tx, actor, user.id, (current) => ({ ...draftOf(current), active }));
          return true;
        });
        if (done) applied += 1;
      }
    }
  }

  private isMass(plan: HrPlan): boolean {
    if (plan.deactivations === 0) return false;
    return plan.deactivations > plan.activeUsers * this.maxDeactivationShare;
  }

  private async plan(actor: Actor, rows: readonly HrRow[], adopt: boolean): Promise<HrPlan> {
    const employeeIds = new Set<string>();
    const emails = new Set<string>();
    for (const row of rows) {
      if (row.employeeId) employeeIds.add(row.employeeId);
      if (row.managerEmployeeId) employeeIds.add(row.managerEmployeeId);
      if (row.email) emails.add(normalizeUserName(row.email));
    }
    return this.uow.read(async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account) throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      return planHrSync({
        rows,
        owned: await tx.hr.ownedUsers(actor.accountId),
        unowned: await tx.hr.unownedMatches(actor.accountId, [...employeeIds], [...emails]),
        pending: await tx.hr.pending(actor.accountId),
        tombstones: await tx.hr.tombstones(actor.accountId),
        activeUsers: await tx.hr.activeUsers(actor.accountId),
        ownerId: account.ownerId,
        now: this.clock.now(),
        adopt,
        newId: () => flat(this.ids.newId()) as UserId,
      });
    });
  }

  private async auditMassOverride(actor: Actor, plan: HrPlan): Promise<void> {
    await this.uow.write(actor.accountId, (tx) =>
      recordAudit(tx, actor, this.clock, {
        action: 'hr_sync.mass_deactivation_allowed',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: null,
        after: {
          deactivations: plan.deactivations,
          activeUsers: plan.activeUsers,
          maxShare: this.maxDeactivationShare,
        },
      }),
    );
  }

  /**
   * A chunk the domain refuses as a whole is retried change by change, so one bad change (a
   * userName taken since the plan was made) is reported without holding back the rest.
   */
  private async apply(
    actor: Actor,
    changes: readonly HrChange[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<HrIssue[]> {
    const failures: HrIssue[] = [];
    onProgress?.(0, changes.length);
    for (let from = 0; from < changes.length; from += chunkSize) {
      const chunk = changes.slice(from, from + chunkSize);
      try {
        await this.uow.write(actor.accountId, (tx) => this.applyChunk(tx, actor, chunk));
      } catch (err) {
        if (!isDomainError(err)) throw err;
        for (const change of chunk) {
          try {
            await this.uow.write(actor.accountId, (tx) => this.applyChunk(tx, actor, [change]));
          } catch (one) {
            if (!isDomainError(one)) throw one;
            failures.push(refusal(change, one));
          }
        }
      }
      // Written: the report needs none of the fields, so they go now (delete would make each change a slow, larger dictionary).
      for (const change of chunk) {
        change.fields = undefined;
        change.pending = undefined;
      }
      onProgress?.(Math.min(from + chunkSize, changes.length), changes.length);
    }
    return failures;
  }

  private async applyChunk(tx: Tx, actor: Actor, chunk: readonly HrChange[]): Promise<void> {
    const now = this.clock.now();
    const created: UserId[] = [];
    for (const change of chunk) {
      const { fields } = change;
      if (change.kind === 'create' && fields) {
        await this.users.provisionIn(tx, actor, hrDraft(null, change.employeeId, fields), change.userId);
        created.push(change.userId);
      } else if (change.kind !== 'schedule') {
        await this.users.modifyIn(tx, actor, change.userId, (current) =>
          fields ? hrDraft(current, change.employeeId, fields) : { ...draftOf(current), active: false },
        );
      }
      if (change.kind === 'create' || change.adopt) {
        await tx.hr.own(actor.accountId, change.employeeId, change.userId, now);
      }
      // A new user has no pending dates yet: only write some if there are any.
      const { pending } = change;
      if (pending && (change.kind !== 'create' || pending.length > 0)) {
        await tx.hr.replacePending(actor.accountId, change.userId, pending, now);
      }
    }
    await this.users.recomputeRoles(tx, actor, created);
  }
}

/**
 * Leavers (owned users gone from the export: only `active` moves) are applied first, so the seats
 * they free count for this run's hires under a seat limit. Every other change keeps the plan's
 * order (new managers before their reports).
 */
function countByKind(changes: readonly HrChange[]): Record<HrChangeKind, number> {
  const counts = { create: 0, update: 0, deactivate: 0, reactivate: 0, schedule: 0 };
  for (const change of changes) counts[change.kind] += 1;
  return counts;
}

function leaversFirst(changes: readonly HrChange[]): HrChange[] {
  const leaver = (c: HrChange) => c.kind === 'deactivate' && c.line === null;
  return [...changes.filter(leaver), ...changes.filter((c) => !leaver(c))];
}

/** A change the domain refused, for the report; the seat limit says who was not let in. */
function refusal(change: HrChange, err: DomainError): HrIssue {
  const seats = err.code === 'account.seat_limit_reached';
  const what = change.kind === 'create' ? 'not provisioned' : `not ${change.kind}d`;
  return {
    line: change.line ?? 0,
    employeeId: change.employeeId,
    email: change.email,
    code: err.code,
    problem: seats ? `${what}: the account's seat limit is reached (${err.message})` : err.message,
  };
}

/**
 * A copy of `text` in one piece. Node builds a UUID by concatenation, a rope of some twenty
 * pieces (about 450 bytes); a plan holding 100,000 new ids would spend 45 MB on them.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
