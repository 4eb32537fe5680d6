import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { isUuid, type UserId } from '../ids';
import type { UnitOfWork } from '../ports';
import type { Catalogue, Permission, RoleKey } from './catalogue';

export type AuthorizationReason =
  'granted_by_role' | 'not_granted_by_role' | 'no_role' | 'user_inactive' | 'user_not_found';

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

  async authorize(actor: Actor, user: string, permission: Permission): Promise<AuthorizationAnswer> {
    if (!this.catalogue.hasPermission(permission)) {
      throw DomainError.invalid(
        'permission.unknown',
        `"${permission}" is not a permission of the ${this.catalogue.name} catalogue`,
      );
    }
    return this.uow.read(async (tx) => {
      const found = isUuid(user)
        ? await tx.users.get(actor.accountId, user as UserId)
        : await tx.users.findByUserName(actor.accountId, user);
      if (actor.kind === 'member' && found?.id !== actor.userId) {
        throw DomainError.forbidden('authorize.self_only', 'A member key may only ask about its own user');
      }
      if (actor.kind !== 'member' && actor.kind !== 'service' && actor.kind !== 'operator') {
        throw DomainError.forbidden('access.denied', 'This credential may not ask for authorization answers');
      }
      if (!found) return { allowed: false, role: null, reason: 'user_not_found' };
      const role =
        (await tx.roles.stored(actor.accountId, [found.id])).get(found.id)?.effective.roleKey ?? null;
      if (!found.active) return { allowed: false, role, reason: 'user_inactive' };
      if (role === null) return { allowed: false, role, reason: 'no_role' };
      const allowed = this.catalogue.permissionsOf(role).has(permission);
      return { allowed, role, reason: allowed ? 'granted_by_role' : 'not_granted_by_role' };
    });
  }
}
