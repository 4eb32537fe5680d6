import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { isUsableMember } from '../accounts/usable-member';
import type { Clock, Tx } from '../ports';
import type { Catalogue, Permission } from './catalogue';
import { effectivePermissions, noOverrides } from './permissions';
import { supportMay } from './support-limits';

/**
 * Who may use an account-administration permission (roles.md rule 5). Operators (the CLI) and
 * Roster's own jobs may; a SCIM token provisions users and groups but administers nothing; a
 * member may when they are active and their role, with their per-user overrides, grants it. Deny by
 * default (R9). Runs inside the caller's transaction, so it sees the role as it is now.
 */
export class AccessPolicy {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {}

  /** `read: true` for a read-only permission, which the account's service key may also use. */
  async assertMay(
    tx: Tx,
    actor: Actor,
    permission: Permission,
    options: { read?: boolean } = {},
  ): Promise<void> {
    if (actor.kind === 'operator' || actor.kind === 'system') return;
    if (actor.kind === 'service' && options.read) return;
    if (actor.kind === 'member' && (await this.memberMay(tx, actor, permission))) return;
    if (actor.kind === 'support' && (await this.supportMay(tx, actor, permission))) return;
    throw DomainError.forbidden(
      'access.denied',
      `You do not have the ${permission} permission on this account`,
    );
  }

  /** Under a grant still active now (revoking it stops support mid-request), and never the forbidden list. */
  private async supportMay(tx: Tx, actor: Extract<Actor, { kind: 'support' }>, permission: Permission) {
    const grant = await tx.support.activeGrant(actor.accountId, this.clock.now());
    return grant?.id === actor.grantId && supportMay(this.catalogue, permission);
  }

  private async memberMay(tx: Tx, actor: Extract<Actor, { kind: 'member' }>, permission: Permission) {
    const user = await tx.users.get(actor.accountId, actor.userId);
    if (!(await isUsableMember(tx, user))) return false;
    const stored = (await tx.roles.stored(actor.accountId, [actor.userId])).get(actor.userId);
    const role = stored?.effective.roleKey ?? null;
    return effectivePermissions(this.catalogue, role, stored?.overrides ?? noOverrides).has(permission);
  }
}
