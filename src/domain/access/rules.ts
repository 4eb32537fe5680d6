import type { Actor } from '../actor';
import type { AccountId, UserId } from '../ids';
import type { ActionDefinition } from './actions';
import type { Permission } from './catalogue';

/** What an action is taken on: the actor's account (a setting, a list), or one user in it. */
export type Target =
  | { kind: 'account'; accountId?: AccountId }
  | {
      kind: 'user';
      userId: UserId;
      isOwner: boolean;
      /** The user's account when it is not the actor's (a managed user in a child account). */
      accountId?: AccountId;
      /** That account's parent: a parent's Owner and Admins reach into their child accounts. */
      parentId?: AccountId | null;
    };

export const accountTarget: Target = { kind: 'account' };

/** What the rule book knows of the caller, read once per question (or once for /me). */
export interface Caller {
  actor: Actor;
  /** The credential still stands for someone who may act: an active user, a running grant. */
  live: boolean;
  /** For a member: they are the account's Owner. */
  isOwner: boolean;
  /** For a member: they have a role (none: no access at all). */
  hasRole: boolean;
  /** For a member: whether their role and per-user overrides grant a permission. */
  has(permission: Permission): boolean;
  /** For support: permissions support never uses, even to read (integration secrets). */
  supportNever: ReadonlySet<Permission>;
}

/** One question to the rule book. */
export interface Question {
  caller: Caller;
  action: string;
  definition: ActionDefinition;
  target: Target;
}

export interface Refusal {
  kind: 'forbidden' | 'not_found';
  code: string;
  message: string;
}

export interface Rule {
  name: string;
  applies(q: Question): boolean;
  /** Undefined allows; a refusal denies with it. */
  refusal?(q: Question): Refusal;
}

const allow = (name: string, applies: Rule['applies']): Rule => ({ name, applies });
const deny = (name: string, applies: Rule['applies'], refusal: Rule['refusal']): Rule => ({
  name,
  applies,
  refusal,
});
const forbidden = (code: string, message: string): Refusal => ({ kind: 'forbidden', code, message });

const kindIs = (q: Question, ...kinds: Actor['kind'][]) => kinds.includes(q.caller.actor.kind);
const targetIsOwner = (q: Question) => q.target.kind === 'user' && q.target.isOwner;

function inOtherAccount({ caller, target }: Question): boolean {
  const own = caller.actor.accountId;
  if (target.accountId === undefined || target.accountId === own) return false;
  return !(target.kind === 'user' && target.parentId === own);
}

function reservedAndNotFor(q: Question): boolean {
  const reserved = q.definition.reservedTo;
  if (!reserved) return false;
  const isOwner = kindIs(q, 'member') && q.caller.isOwner;
  return !reserved.who.some((who) => (who === 'owner' ? isOwner : kindIs(q, 'operator')));
}

function notPermitted(q: Question): Refusal {
  const { permission } = q.definition;
  return permission
    ? forbidden('access.denied', `You do not have the ${permission} permission on this account`)
    : forbidden('access.denied', `${q.action} is not open to this credential`);
}

/**
 * Who may do what, in order: the first rule that applies decides, and the last denies (R9).
 * Identity sources (the IdP over SCIM, the HR feed, the operator) speak for the customer's
 * directory, so they may deactivate the Owner (roles.md rule 7); no other member may touch the
 * Owner, and nobody may change the Owner's role or permissions.
 */
export const rules: readonly Rule[] = [
  deny(
    'credential_not_live',
    (q) => !q.caller.live,
    () => forbidden('access.denied', 'This credential no longer stands for anyone who may act here'),
  ),
  deny('other_account', inOtherAccount, () => ({
    kind: 'not_found',
    code: 'not_found',
    message: 'Not found in this account',
  })),
  deny(
    'owner_fixed',
    (q) => q.definition.fixedForOwner !== undefined && targetIsOwner(q),
    (q) => forbidden(q.definition.fixedForOwner!.code, q.definition.fixedForOwner!.message),
  ),
  deny(
    'support_read_only',
    (q) => kindIs(q, 'support') && q.definition.writes,
    (q) => forbidden('access.denied', `Support access is read-only: it can never take ${q.action}`),
  ),
  deny(
    'support_never',
    (q) =>
      kindIs(q, 'support') &&
      q.definition.permission !== null &&
      q.caller.supportNever.has(q.definition.permission),
    (q) => forbidden('access.denied', `Support access never includes ${q.definition.permission}`),
  ),
  deny(
    'owner_protected',
    (q) => kindIs(q, 'member') && q.definition.changesUser === true && targetIsOwner(q) && !q.caller.isOwner,
    () =>
      forbidden(
        'account.owner_protected',
        'Only the Owner can change, deactivate, reset or delete the Owner',
      ),
  ),
  deny('reserved', reservedAndNotFor, (q) => {
    const { code, message } = q.definition.reservedTo!;
    const { permission } = q.definition;
    return forbidden(code, permission ? `${message} (${permission})` : message);
  }),
  deny(
    'sign_in_members_only',
    (q) => q.action === 'sign_in' && !kindIs(q, 'member'),
    () => forbidden('access.denied', 'Only a member of the account signs in'),
  ),
  allow('operator_or_system', (q) => kindIs(q, 'operator', 'system')),
  allow('service_reads', (q) => kindIs(q, 'service') && !q.definition.writes),
  allow('service_integration', (q) => kindIs(q, 'service') && q.definition.integration === true),
  deny(
    'service_read_only',
    (q) => kindIs(q, 'service'),
    (q) =>
      forbidden(
        'access.denied',
        `The service key only reads, asks authorize and manages webhooks; it cannot take ${q.action}`,
      ),
  ),
  allow('scim_provisioning', (q) => kindIs(q, 'scim-token') && q.definition.provisioning === true),
  deny(
    'scim_provisioning_only',
    (q) => kindIs(q, 'scim-token'),
    (q) => forbidden('access.denied', `A SCIM token provisions users and groups; it cannot take ${q.action}`),
  ),
  allow('support_reads', (q) => kindIs(q, 'support')),
  allow(
    'authorize_self',
    (q) =>
      q.action === 'authorize' &&
      q.caller.actor.kind === 'member' &&
      q.target.kind === 'user' &&
      q.target.userId === q.caller.actor.userId,
  ),
  deny(
    'authorize_others',
    (q) => q.action === 'authorize',
    () => forbidden('authorize.self_only', 'A member key may only ask about its own user'),
  ),
  allow('member_signs_in', (q) => q.action === 'sign_in' && q.caller.hasRole),
  deny(
    'no_role_no_entry',
    (q) => q.action === 'sign_in',
    () => forbidden('sign_in.no_access', 'You have no role on this account'),
  ),
  allow('owner_holds_all', (q) => q.caller.isOwner && q.definition.permission !== null),
  allow(
    'member_permission',
    (q) => q.definition.permission !== null && q.caller.has(q.definition.permission),
  ),
  deny('default_deny', () => true, notPermitted),
];

/** The name of the rule that decided (the `reason` of an authorization answer comes from it). */
export type RuleName = string;

export type Decision = { allowed: true; rule: RuleName } | ({ allowed: false; rule: RuleName } & Refusal);

/** The first rule that applies decides (pure: the caller's facts are already read). */
export function decideQuestion(q: Question): Decision {
  // default_deny applies to every question, so a rule is always found.
  const rule = rules.find((r) => r.applies(q)) as Rule;
  return rule.refusal
    ? { allowed: false, rule: rule.name, ...rule.refusal(q) }
    : { allowed: true, rule: rule.name };
}
