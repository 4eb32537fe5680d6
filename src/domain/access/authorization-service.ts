import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Tx, UnitOfWork, UserAccess } from '../ports';
import type { Catalogue, Permission, RoleKey } from './catalogue';
import { hasEffectivePermission } from './permissions';

export type AuthorizationReason =
  | 'granted_by_role'
  | 'granted_to_user'
  | 'not_granted_by_role'
  | 'restricted_for_user'
  | 'no_role'
  | 'user_inactive'
  | 'user_not_found'
  | 'no_access';

export interface AuthorizationAnswer {
  allowed: boolean;
  role: RoleKey | null;
  reason: AuthorizationReason;
}

/**
 * The product's question: may this person do this, on this account, right now? Deny by default:
 * an unknown, deactivated or role-less user is refused, with the reason. The service key may ask
 * about anyone of its account; a member only about themself.
 */
export class AuthorizationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly catalogue: Catalogue,
  ) {}

  /** `account`: a child account of the caller's, where the user's access (a managed user) is asked about. */
  async authorize(
    actor: Actor,
    user: string,
    permission: Permission,
    account?: string,
  ): Promise<AuthorizationAnswer> {
    if (!this.catalogue.hasPermission(permission)) {
      throw DomainError.invalid(
        'permission.unknown',
        `"${permission}" is not a permission of the ${this.catalogue.name} catalogue`,
      );
    }
    return this.uow.read(async (tx) => {
      // One statement: the user and their role (this is the hot path of the API).
      const found = await tx.roles.accessOf(
        actor.accountId,
        isUuid(user) ? { id: user as UserId } : { userName: user },
      );
      if (actor.kind === 'member' && found?.userId !== actor.userId) {
        throw DomainError.forbidden('authorize.self_only', 'A member key may only ask about its own user');
      }
      if (actor.kind !== 'member' && actor.kind !== 'service' && actor.kind !== 'operator') {
        throw DomainError.forbidden('access.denied', 'This credential may not ask for authorization answers');
      }
      if (!found) return { allowed: false, role: null, reason: 'user_not_found' };
      const target =
        account === undefined ? found : await this.managedIn(tx, actor.accountId, account, found);
      if (!target) return { allowed: false, role: null, reason: 'no_access' };
      const { roleKey: role, overrides } = target;
      if (!target.active) return { allowed: false, role, reason: 'user_inactive' };
      const byRole = role !== null && this.catalogue.permissionsOf(role).has(permission);
      const allowed = hasEffectivePermission(this.catalogue, role, overrides, permission);
      if (allowed) return { allowed, role, reason: byRole ? 'granted_by_role' : 'granted_to_user' };
      if (role === null && overrides.mode === 'role') return { allowed, role, reason: 'no_role' };
      return { allowed, role, reason: byRole ? 'restricted_for_user' : 'not_granted_by_role' };
    });
  }

  /** The user's managed user in a child of the caller's account; not found for any other account. */
  private async managedIn(
    tx: Tx,
    parentId: AccountId,
    account: string,
    home: UserAccess,
  ): Promise<UserAccess | null> {
    const child = isUuid(account) ? await tx.accounts.get(account as AccountId) : null;
    if (!child || child.parentId !== parentId) {
      throw DomainError.notFound('account.not_found', `No child account ${account} of this account`);
    }
    const access = (await tx.children.accessOf(home.userId)).find((a) => a.childId === child.id);
    return access ? tx.roles.accessOf(child.id, { id: access.managedUserId }) : null;
  }
}
