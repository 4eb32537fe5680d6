import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Tx, UnitOfWork, UserAccess } from '../ports';
import type { Catalogue, Permission, RoleKey } from './catalogue';
import { throwIfDenied, type RuleBook } from './rule-book';
import type { RuleName } from './rules';

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
    private readonly rules: RuleBook,
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
      // Who may ask: the service key about anyone, a member about themself (the rule book).
      const askedAbout = found?.userId ?? ('' as UserId);
      throwIfDenied(
        await this.rules.decide(tx, actor, 'authorize', { kind: 'user', userId: askedAbout, isOwner: false }),
      );
      if (!found) return { allowed: false, role: null, reason: 'user_not_found' };
      const target =
        account === undefined ? found : await this.managedIn(tx, actor.accountId, account, found);
      if (!target) return { allowed: false, role: null, reason: 'no_access' };
      const subject = { ...actor, kind: 'member' as const, userId: target.userId };
      const decision = this.rules.memberDecision(subject, target, { permission });
      return {
        allowed: decision.allowed,
        role: target.roleKey,
        reason: reasonOf(decision.rule, target, permission, this.catalogue),
      };
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

/** The product-facing reason for a rule-book decision about a member (docs/admin-api.md: "reason"). */
function reasonOf(
  rule: RuleName,
  access: UserAccess,
  permission: Permission,
  catalogue: Catalogue,
): AuthorizationReason {
  const byRole = access.roleKey !== null && catalogue.permissionsOf(access.roleKey).has(permission);
  if (rule === 'credential_not_live') return 'user_inactive';
  if (rule === 'owner_holds_all') return 'granted_by_role';
  if (rule === 'member_permission') return byRole ? 'granted_by_role' : 'granted_to_user';
  if (access.roleKey === null && access.overrides.mode === 'role') return 'no_role';
  return byRole ? 'restricted_for_user' : 'not_granted_by_role';
}
