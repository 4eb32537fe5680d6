import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx } from '../ports';
import type { Catalogue } from './catalogue';
import { effectiveRole, noRole, sameRole } from './effective-role';
import { endAccess } from './end-access';

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

  async recompute(tx: Tx, actor: Actor, userIds: readonly UserId[]): Promise<void> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return;
    const account = await tx.accounts.get(actor.accountId);
    if (!account) return;
    const mapped = await tx.roles.mappedRoles(actor.accountId, ids);
    const stored = await tx.roles.stored(actor.accountId, ids);
    const now = this.clock.now();
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
      await tx.roles.save(actor.accountId, userId, { effective: next, manualRoleKey }, now);
      if (sameRole(before, next)) continue;
      // No role is no access (e.g. Entra removed the last mapped group): the keys end now.
      if (before.roleKey !== null && next.roleKey === null) lostAccess.push(userId);
      await recordAudit(tx, actor, this.clock, {
        action: 'user.role_changed',
        subjectType: 'user',
        subjectId: userId,
        before: { role: before.roleKey, source: before.source, group: before.groupName },
        after: { role: next.roleKey, source: next.source, group: next.groupName },
      });
    }
    await endAccess(tx, actor, this.clock, lostAccess, 'lost_role');
  }
}
