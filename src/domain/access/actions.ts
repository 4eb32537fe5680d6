import type { Permission } from './catalogue';

/** Who, besides the rules for everyone, an action is reserved to. */
export type Reserved = 'owner' | 'operator';

export interface ActionDefinition {
  /** Changes something. Support and the service key never take an action that writes. */
  readonly writes: boolean;
  /** The catalogue permission a member needs; null when no member may take it by permission. */
  readonly permission: Permission | null;
  /** An identity source (a SCIM client) may take it: provisioning users and groups. */
  readonly provisioning?: boolean;
  /**
   * The account's service key may take it although it writes: the product's own integration (its
   * webhooks, its Shared Signals streams), nothing about users, roles or settings.
   */
  readonly integration?: boolean;
  /** It changes the target user: only the Owner may take it against the Owner. */
  readonly changesUser?: boolean;
  /** Never against the Owner, whoever asks: the error code to answer with. */
  readonly fixedForOwner?: { code: string; message: string };
  /** Only these may take it (the Owner: the member who is the Owner). */
  readonly reservedTo?: { who: readonly Reserved[]; code: string; message: string };
}

const operatorOnly = (code: string, message: string) =>
  ({ who: ['operator'], code, message }) as const satisfies ActionDefinition['reservedTo'];

/**
 * Everything anyone may be asked permission for, as data a reader can scan: whether it writes,
 * the catalogue permission a member needs, and the structural limits no catalogue can change.
 * The rule book (rule-book.ts) decides with this table; each service names its action.
 */
export const actions = {
  // Reads.
  'users.view': { writes: false, permission: 'users.view', provisioning: true },
  'audit.view': { writes: false, permission: 'audit.view' },
  /** The change feed (GET /events): the product's service key, or whoever may read the audit log. */
  'events.read': { writes: false, permission: 'audit.view' },
  'sso.view': { writes: false, permission: 'sso.configure' },
  'support_access.view': { writes: false, permission: 'support_access.grant' },
  'scim_tokens.view': { writes: false, permission: 'scim.manage_tokens' },
  /** API keys are credentials of the account's integrations, as its SCIM tokens are. */
  'api_keys.view': { writes: false, permission: 'scim.manage_tokens' },
  /** POST /authorize: an answer about a user; a member asks only about themself. */
  authorize: { writes: false, permission: null },
  /** A member signs in (SAML, the OpenID Connect hand-off): active, with a role. */
  sign_in: { writes: false, permission: null },
  /** Shared Signals streams are the account's integrations, as its SCIM tokens and API keys are. */
  'ssf.view': { writes: false, permission: 'scim.manage_tokens' },

  // Users and groups: what an IdP provisions, and an Owner or Admin by hand.
  'users.invite': { writes: true, permission: 'users.invite', provisioning: true },
  'users.edit': { writes: true, permission: 'users.edit', provisioning: true, changesUser: true },
  /** Nobody deletes the Owner, the Owner included: UserService refuses it as a state (transfer first). */
  'users.delete': { writes: true, permission: 'users.delete', provisioning: true },
  'users.resend_invite': { writes: true, permission: 'users.resend_invite' },
  'groups.provision': { writes: true, permission: null, provisioning: true },

  // One member's access.
  'member.role.set': {
    writes: true,
    permission: 'roles.assign',
    changesUser: true,
    fixedForOwner: {
      code: 'role.owner_unchangeable',
      message: "The Owner's role cannot be changed; transfer ownership instead",
    },
  },
  'member.permissions.set': {
    writes: true,
    permission: 'roles.assign',
    changesUser: true,
    fixedForOwner: {
      code: 'permissions.owner_unrestrictable',
      message: "The Owner's permissions cannot be changed: the Owner holds every permission",
    },
  },
  'member.child_access.set': { writes: true, permission: 'roles.assign', changesUser: true },
  'member.mfa.set': { writes: true, permission: 'sso.configure', changesUser: true },
  'member.totp.reset': { writes: true, permission: 'mfa.reset', changesUser: true },
  /** Signs a person out everywhere (browser sessions, products' sign-ins): who may deactivate may. */
  'member.sessions.end': { writes: true, permission: 'users.edit', changesUser: true },

  // The account's settings.
  'account.default_role.set': { writes: true, permission: 'roles.assign' },
  'account.edit_details': { writes: true, permission: 'account.edit_details' },
  'mappings.edit': { writes: true, permission: 'mappings.edit' },
  'sso.configure': { writes: true, permission: 'sso.configure' },
  'scim_tokens.manage': { writes: true, permission: 'scim.manage_tokens' },
  /** A member key is its user's: only the Owner revokes the Owner's (the target is the key's user). */
  'api_keys.revoke': { writes: true, permission: 'scim.manage_tokens', changesUser: true },
  'support_access.grant': { writes: true, permission: 'support_access.grant' },
  'support_access.revoke': { writes: true, permission: 'support_access.revoke' },
  'children.create': { writes: true, permission: 'roles.assign' },
  'deprovisioning.approve': { writes: true, permission: 'users.delete' },
  /** The product manages its own streams with the service key (SSF §8: the receiver does). */
  'ssf.manage': { writes: true, permission: 'scim.manage_tokens', integration: true },
  /** Polling acknowledges (removes) SETs: a write, the receiver's own (RFC 8936). */
  'ssf.poll': { writes: true, permission: 'scim.manage_tokens', integration: true },

  // The Owner's own, and the vendor's (the plan, credentials, break-glass).
  'ownership.transfer': {
    writes: true,
    permission: 'account.transfer_ownership',
    reservedTo: {
      who: ['owner'],
      code: 'account.transfer_owner_only',
      message:
        'Only the current Owner can transfer ownership; an operator can force it with `roster ownership force-transfer`',
    },
  },
  'account.close': {
    writes: true,
    permission: 'account.close',
    reservedTo: {
      who: ['owner', 'operator'],
      code: 'account.close_owner_only',
      message: 'Only the Owner can close the account',
    },
  },
  /** Where sign-ins for an email domain go (the OIDC hand-off's login_hint): the Owner's call. */
  'domains.claim': {
    writes: true,
    permission: 'sso.configure',
    reservedTo: {
      who: ['owner', 'operator'],
      code: 'domain.owner_only',
      message: 'Only the Owner (or an operator) claims or releases an email domain',
    },
  },
  'ownership.force_transfer': {
    writes: true,
    permission: null,
    reservedTo: operatorOnly('account.force_transfer_operator_only', 'Only an operator can force a transfer'),
  },
  'account.seats.set': {
    writes: true,
    permission: null,
    reservedTo: operatorOnly('account.plan_operator_only', 'Only an operator changes the seat limit'),
  },
  'api_keys.issue': {
    writes: true,
    permission: null,
    reservedTo: operatorOnly(
      'api_key.operator_only',
      'API keys are issued by an operator (roster api-keys create)',
    ),
  },
  /** Webhook endpoints: the product's backend (the service key) manages its own, as do integration admins. */
  'webhooks.view': { writes: false, permission: 'scim.manage_tokens' },
  'webhooks.manage': { writes: true, permission: 'scim.manage_tokens', integration: true },
  'webhooks.manage_all': {
    writes: true,
    permission: null,
    reservedTo: operatorOnly(
      'webhook.operator_only',
      "Operator-wide webhooks (every account's events) are managed by an operator (roster webhooks --all-accounts)",
    ),
  },
  'support.session.open': {
    writes: true,
    permission: null,
    reservedTo: operatorOnly('support_access.operator_only', 'Support sessions are issued by an operator'),
  },
} as const satisfies Record<string, ActionDefinition>;

export type Action = keyof typeof actions;

export const actionNames = Object.keys(actions) as Action[];

export function definitionOf(action: Action): ActionDefinition {
  return actions[action];
}
