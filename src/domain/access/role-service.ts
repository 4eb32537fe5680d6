import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type UserId } from '../ids';
import type { Clock, Tx, UnitOfWork } from '../ports';
import type { Catalogue, RoleKey } from './catalogue';
import { noRole, type EffectiveRole } from './effective-role';
import { assertValidOverrides, noOverrides, type PermissionOverrides } from './permissions';
import type { RuleBook } from './rule-book';
import type { RoleRecomputer } from './role-recompute';

/**
 * Roles given by hand and the account's default role. A role that comes from a mapped group
 * cannot be changed by hand (two sources never fight), the Owner's role never changes here, and
 * the owner role is never given (roles.md rules 3, 4, 6).
 */
export class RoleService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
  ) {}

  async roleOf(actor: Actor, userId: string): Promise<EffectiveRole> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const id = await this.userId(tx, actor, userId);
      return (await tx.roles.stored(actor.accountId, [id])).get(id)?.effective ?? noRole;
    });
  }

  /** Gives (or with null, takes back) a role by hand. */
  async assign(actor: Actor, userId: string, roleKey: RoleKey | null): Promise<EffectiveRole> {
    if (roleKey !== null) this.assertGrantable(roleKey);
    return this.uow.write(actor.accountId, async (tx) => {
      const id = await this.userId(tx, actor, userId);
      await this.rules.assert(
        tx,
        actor,
        'member.role.set',
        await this.rules.userTarget(tx, { id, accountId: actor.accountId }),
      );
      const stored = (await tx.roles.stored(actor.accountId, [id])).get(id);
      const current = stored?.effective ?? noRole;
      if (current.source === 'group') {
        throw DomainError.precondition(
          'role.managed_by_group',
          `The role comes from the IdP group "${current.groupName}"; change the user's groups or the mapping instead`,
        );
      }
      await tx.roles.save(
        actor.accountId,
        id,
        { effective: current, manualRoleKey: roleKey },
        this.clock.now(),
      );
      await this.roles.recompute(tx, actor, [id]);
      return (await tx.roles.stored(actor.accountId, [id])).get(id)?.effective ?? noRole;
    });
  }

  /** Grants or restricts single permissions on top of the role, or allows all / none at once. */
  async setPermissions(
    actor: Actor,
    userId: string,
    overrides: PermissionOverrides,
  ): Promise<PermissionOverrides> {
    return this.uow.write(actor.accountId, async (tx) => {
      const id = await this.userId(tx, actor, userId);
      const target = await this.rules.userTarget(tx, { id, accountId: actor.accountId });
      await this.rules.assert(tx, actor, 'member.permissions.set', target);
      const stored = (await tx.roles.stored(actor.accountId, [id])).get(id);
      const normalized: PermissionOverrides = {
        mode: overrides.mode,
        granted: [...new Set(overrides.granted)].sort(),
        restricted: [...new Set(overrides.restricted)].sort(),
      };
      assertValidOverrides(this.catalogue, stored?.effective.roleKey ?? null, normalized);
      await tx.roles.saveOverrides(actor.accountId, id, normalized, this.clock.now());
      await recordAudit(tx, actor, this.clock, {
        action: 'user.permissions_changed',
        subjectType: 'user',
        subjectId: id,
        before: stored?.overrides ?? noOverrides,
        after: normalized,
      });
      return normalized;
    });
  }

  /** The role of users in no mapped group and with no role by hand; null for none. */
  async setDefault(actor: Actor, roleKey: RoleKey | null): Promise<void> {
    if (roleKey !== null) this.assertGrantable(roleKey);
    await this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'account.default_role.set');
      const account = await tx.accounts.get(actor.accountId);
      if (!account) throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      await tx.accounts.update(account.id, { defaultRoleKey: roleKey });
      await recordAudit(tx, actor, this.clock, {
        action: 'account.default_role_set',
        subjectType: 'account',
        subjectId: account.id,
        before: { defaultRole: account.defaultRoleKey },
        after: { defaultRole: roleKey },
      });
      await this.roles.recompute(tx, actor, await tx.roles.usersOf(account.id));
    });
  }

  private assertGrantable(roleKey: RoleKey): void {
    assertGrantableRole(this.catalogue, roleKey);
  }

  private async userId(tx: Tx, actor: Actor, userId: string): Promise<UserId> {
    const user = isUuid(userId) ? await tx.users.get(actor.accountId, userId as UserId) : null;
    if (!user) throw DomainError.notFound('user.not_found', `User ${userId} not found`);
    return user.id;
  }
}

/** A role that can be given by hand or by invitation: a role of the catalogue, never the owner role. */
export function assertGrantableRole(catalogue: Catalogue, roleKey: RoleKey): void {
  if (!catalogue.hasRole(roleKey)) {
    const known = catalogue.roles.map((r) => r.key).join(', ');
    throw DomainError.invalid('role.unknown', `Unknown role "${roleKey}"; roles: ${known}`);
  }
  if (roleKey === catalogue.ownerRole.key) {
    throw DomainError.invalid(
      'role.owner_by_transfer_only',
      'The Owner role is only ever given by an ownership transfer',
    );
  }
}
