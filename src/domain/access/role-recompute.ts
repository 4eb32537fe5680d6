import type { Actor } from '../actor';
import type { AuditChange } from '../audit/events';
import { recordAudits } from '../audit/record';
import type { UserId } from '../ids';
import type { Account, Clock, SavedRole, Tx } from '../ports';
import type { Catalogue } from './catalogue';
import { effectiveRole, noRole, sameRole } from './effective-role';
import { endAccess } from './end-access';

/** Users recomputed per round of statements. */
const chunkSize = 500;

/**
 * Recomputes the effective role of the given users inside the caller's transaction, and audits
 * every change (roles.md rule 8). Every change of membership, mapping or group name calls it,
 * so a role is never stale, whoever made the change.
 */
export class RoleRecomputer {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {}

  /** Returns how many of the users lost their role (and with it their access). */
  async recompute(tx: Tx, actor: Actor, userIds: readonly UserId[]): Promise<number> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return 0;
    const account = await tx.accounts.get(actor.accountId);
    if (!account) return 0;
    let lost = 0;
    // Chunk by chunk: a few statements per 500 users, and no 100,000-entry maps and arrays kept
    // alive across awaits (their garbage collection cost more than the SQL on SQLite).
    for (let i = 0; i < ids.length; i += chunkSize) {
      lost += await this.recomputeChunk(tx, actor, account, ids.slice(i, i + chunkSize));
    }
    return lost;
  }

  private async recomputeChunk(tx: Tx, actor: Actor, account: Account, ids: UserId[]): Promise<number> {
    const mapped = await tx.roles.mappedRoles(actor.accountId, ids);
    const stored = await tx.roles.stored(actor.accountId, ids);
    const now = this.clock.now();
    const saved: SavedRole[] = [];
    const changes: AuditChange[] = [];
    const lostAccess: UserId[] = [];
    for (const userId of ids) {
      const previous = stored.get(userId);
      const manualRoleKey = previous?.manualRoleKey ?? null;
      const next = effectiveRole(
        {
          isOwner: account.ownerId === userId,
          mapped: mapped.get(userId) ?? [],
          manualRoleKey,
          defaultRoleKey: account.defaultRoleKey,
        },
        this.catalogue,
      );
      const before = previous?.effective ?? noRole;
      if (previous && sameRole(before, next)) continue;
      saved.push({ userId, role: { effective: next, manualRoleKey } });
      if (sameRole(before, next)) continue;
      // No role is no access (e.g. Entra removed the last mapped group): the keys end now.
      if (before.roleKey !== null && next.roleKey === null) lostAccess.push(userId);
      changes.push({
        action: 'user.role_changed',
        subjectType: 'user',
        subjectId: userId,
        before: { role: before.roleKey, source: before.source, group: before.groupName },
        after: { role: next.roleKey, source: next.source, group: next.groupName },
      });
    }
    // Multi-row statements, not two statements per user: a mapping change on a 100,000-member
    // group is 200,000 round trips to MariaDB otherwise (docs/benchmarks.md).
    if (saved.length > 0) await tx.roles.saveMany(actor.accountId, saved, now);
    if (changes.length > 0) await recordAudits(tx, actor, this.clock, changes);
    await endAccess(tx, actor, this.clock, lostAccess, 'lost_role');
    return lostAccess.length;
  }
}
