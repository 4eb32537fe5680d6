import type { Actor } from '../actor';
import { DomainError } from '../errors';
import type { Account, Clock, Tx, UserAccess } from '../ports';
import type { User } from '../users/user';
import { actionNames, definitionOf, type Action, type ActionDefinition } from './actions';
import type { Catalogue, Permission } from './catalogue';
import { hasEffectivePermission } from './permissions';
import { accountTarget, decideQuestion, type Caller, type Decision, type Target } from './rules';
import { supportNeverAlways } from './support-limits';

/** A catalogue permission asked about as such (POST /authorize): writes, as far as we know. */
const asPermission = (permission: Permission): ActionDefinition => ({ writes: true, permission });

/**
 * The one answer to "may this actor do this action to that target" (rules.ts holds the rules).
 * Every domain service asks it once, after loading its target, inside its transaction, so the
 * answer reflects the role, the grant and the Owner as they are now.
 */
export class RuleBook {
  private readonly supportNever: ReadonlySet<Permission>;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {
    this.supportNever = new Set([...supportNeverAlways, ...catalogue.supportNever]);
  }

  async decide(tx: Tx, actor: Actor, action: Action, target: Target = accountTarget): Promise<Decision> {
    const caller = await this.callerOf(tx, actor);
    return decideQuestion({ caller, action, definition: definitionOf(action), target });
  }

  /** Throws forbidden (or not_found for another account's target) when the rule book says no. */
  async assert(tx: Tx, actor: Actor, action: Action, target: Target = accountTarget): Promise<void> {
    throwIfDenied(await this.decide(tx, actor, action, target));
  }

  /** The target for an action on `user`, knowing whether they are their account's Owner. */
  async userTarget(tx: Tx, user: Pick<User, 'id' | 'accountId'>): Promise<Target> {
    const account = await tx.accounts.get(user.accountId);
    return userTargetIn(account, user);
  }

  /**
   * What the caller may do on their account, for a console to show or hide an action (GET /me).
   * Actions on a user are answered for a member who is not the Owner; authorize, about themself.
   */
  async allowedActions(tx: Tx, actor: Actor): Promise<Action[]> {
    const caller = await this.callerOf(tx, actor);
    const someone: Target = { kind: 'user', userId: '' as User['id'], isOwner: false };
    const self: Target = actor.kind === 'member' ? { ...someone, userId: actor.userId } : someone;
    return actionNames.filter((action) => {
      const definition = definitionOf(action);
      const target = action === 'authorize' ? self : definition.changesUser ? someone : accountTarget;
      return decideQuestion({ caller, action, definition, target }).allowed;
    });
  }

  /**
   * Whether a member may sign in, or use a catalogue permission (the product's question, POST
   * /authorize), answered by the same rules from what one indexed read returned (the hot path).
   */
  memberDecision(
    actor: Actor & { kind: 'member' },
    access: UserAccess | null,
    asked: 'sign_in' | { permission: Permission },
  ): Decision {
    const caller = this.memberCaller(actor, access);
    const [action, definition] =
      asked === 'sign_in' ? [asked, definitionOf(asked)] : [asked.permission, asPermission(asked.permission)];
    return decideQuestion({ caller, action, definition, target: accountTarget });
  }

  private async callerOf(tx: Tx, actor: Actor): Promise<Caller> {
    if (actor.kind === 'member') {
      return this.memberCaller(actor, await tx.roles.accessOf(actor.accountId, { id: actor.userId }));
    }
    // Revoking the grant stops support mid-session: the grant is read again on every question.
    const live =
      actor.kind !== 'support' ||
      (await tx.support.activeGrant(actor.accountId, this.clock.now()))?.id === actor.grantId;
    return { actor, live, isOwner: false, hasRole: false, has: () => false, supportNever: this.supportNever };
  }

  private memberCaller(actor: Actor, access: UserAccess | null): Caller {
    const isOwner = access?.roleKey === this.catalogue.ownerRole.key;
    return {
      actor,
      live: access?.active === true,
      isOwner,
      hasRole: access?.roleKey != null,
      has: (permission) =>
        access !== null &&
        hasEffectivePermission(this.catalogue, access.roleKey, access.overrides, permission),
      supportNever: this.supportNever,
    };
  }
}

export function userTargetIn(account: Account | null, user: Pick<User, 'id' | 'accountId'>): Target {
  return {
    kind: 'user',
    userId: user.id,
    isOwner: account?.ownerId === user.id,
    accountId: user.accountId,
    parentId: account?.parentId ?? null,
  };
}

export function throwIfDenied(decision: Decision): void {
  if (decision.allowed) return;
  throw decision.kind === 'not_found'
    ? DomainError.notFound(decision.code, decision.message)
    : DomainError.forbidden(decision.code, decision.message);
}
