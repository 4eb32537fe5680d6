import { loadCatalogue } from '../../src/config/catalogue';
import { actionNames, definitionOf, type Action } from '../../src/domain/access/actions';
import {
  hasEffectivePermission,
  noOverrides,
  type PermissionOverrides,
} from '../../src/domain/access/permissions';
import { RuleBook } from '../../src/domain/access/rule-book';
import { decideQuestion, type Caller, type Target } from '../../src/domain/access/rules';
import { supportNeverAlways } from '../../src/domain/access/support-limits';
import type { Actor } from '../../src/domain/actor';
import type { AccountId, ScimTokenId, UserId } from '../../src/domain/ids';

const catalogue = loadCatalogue('default');
const account = 'acct-1' as AccountId;
const other = 'acct-2' as AccountId;
const me = 'user-me' as UserId;

/** A member with a role and overrides, as the rule book reads them from the role store. */
function member(
  roleKey: string | null,
  opts: { active?: boolean; overrides?: PermissionOverrides } = {},
): Caller {
  const overrides = opts.overrides ?? noOverrides;
  return {
    actor: { kind: 'member', accountId: account, userId: me, channel: 'admin-api' },
    live: opts.active ?? true,
    isOwner: roleKey === 'owner',
    hasRole: roleKey !== null,
    has: (p) => hasEffectivePermission(catalogue, roleKey, overrides, p),
    supportNever: supportNeverAlways,
  };
}

function credential(actor: Actor, live = true): Caller {
  return { actor, live, isOwner: false, hasRole: false, has: () => false, supportNever: supportNeverAlways };
}

const operator = credential({ kind: 'operator', accountId: account, operator: 'ops', channel: 'cli' });
const system = credential({ kind: 'system', accountId: account, job: 'inactivity', channel: 'job' });
const scim = credential({
  kind: 'scim-token',
  accountId: account,
  tokenId: 't' as ScimTokenId,
  channel: 'scim',
});
const service = credential({ kind: 'service', accountId: account, keyId: 'k', channel: 'admin-api' });
const supportActor: Actor = {
  kind: 'support',
  accountId: account,
  agent: 'Sam',
  sessionId: 's',
  grantId: 'g',
  channel: 'admin-api',
};
const support = credential(supportActor);
const supportAfterRevoke = credential(supportActor, false);

const theAccount: Target = { kind: 'account' };
const theOwner: Target = { kind: 'user', userId: 'owner' as UserId, isOwner: true };
const someone: Target = { kind: 'user', userId: 'someone' as UserId, isOwner: false };
const myself: Target = { kind: 'user', userId: me, isOwner: false };
const elsewhere: Target = {
  kind: 'user',
  userId: 'x' as UserId,
  isOwner: false,
  accountId: other,
  parentId: null,
};
const inMyChild: Target = {
  kind: 'user',
  userId: 'y' as UserId,
  isOwner: false,
  accountId: other,
  parentId: account,
};

const strippedAdmin = member('admin', { overrides: { mode: 'none', granted: [], restricted: [] } });
const strippedOwner = member('owner', {
  overrides: { mode: 'none', granted: [], restricted: ['users.view'] },
});

// [who, caller, action, target, rule that decides, allowed]
const table: [string, Caller, Action, Target, string, boolean][] = [
  ['an operator edits the Owner (break-glass)', operator, 'users.edit', theOwner, 'operator_or_system', true],
  [
    'an operator transfers ownership the normal way',
    operator,
    'ownership.transfer',
    theAccount,
    'reserved',
    false,
  ],
  [
    'an operator forces a transfer',
    operator,
    'ownership.force_transfer',
    theAccount,
    'operator_or_system',
    true,
  ],
  ['an operator closes the account', operator, 'account.close', theAccount, 'operator_or_system', true],
  ["an operator sets the Owner's role", operator, 'member.role.set', theOwner, 'owner_fixed', false],
  ['a sweep deactivates a user', system, 'users.edit', someone, 'operator_or_system', true],
  [
    'the IdP deactivates the Owner (roles.md rule 7)',
    scim,
    'users.edit',
    theOwner,
    'scim_provisioning',
    true,
  ],
  ['the IdP reads users', scim, 'users.view', theAccount, 'scim_provisioning', true],
  ['the IdP pushes groups', scim, 'groups.provision', theAccount, 'scim_provisioning', true],
  ['a SCIM token edits a mapping', scim, 'mappings.edit', theAccount, 'scim_provisioning_only', false],
  ['a SCIM token reads the audit log', scim, 'audit.view', theAccount, 'scim_provisioning_only', false],
  ['the service key reads members', service, 'users.view', theAccount, 'service_reads', true],
  ['the service key asks authorize', service, 'authorize', someone, 'service_reads', true],
  ['the service key changes a role', service, 'member.role.set', someone, 'service_read_only', false],
  ['the service key manages its streams', service, 'ssf.manage', theAccount, 'service_integration', true],
  ['the service key polls its stream', service, 'ssf.poll', theAccount, 'service_integration', true],
  ['support manages streams', support, 'ssf.manage', theAccount, 'support_read_only', false],
  ['support reads streams', support, 'ssf.view', theAccount, 'support_never', false],
  [
    'the service key changes the inactivity sweep',
    service,
    'account.edit_details',
    theAccount,
    'service_read_only',
    false,
  ],
  ['support reads members', support, 'users.view', theAccount, 'support_reads', true],
  ['support reads the audit log', support, 'audit.view', theAccount, 'support_reads', true],
  [
    'support changes the inactivity sweep',
    support,
    'account.edit_details',
    theAccount,
    'support_read_only',
    false,
  ],
  ['support resets a TOTP', support, 'member.totp.reset', someone, 'support_read_only', false],
  [
    'support signs someone out everywhere',
    support,
    'member.sessions.end',
    someone,
    'support_read_only',
    false,
  ],
  [
    'an Admin signs the Owner out everywhere',
    member('admin'),
    'member.sessions.end',
    theOwner,
    'owner_protected',
    false,
  ],
  ['support extends its own grant', support, 'support_access.grant', theAccount, 'support_read_only', false],
  [
    'support reads the SSO settings (integration secrets)',
    support,
    'sso.view',
    theAccount,
    'support_never',
    false,
  ],
  ['support reads SCIM tokens', support, 'scim_tokens.view', theAccount, 'support_never', false],
  [
    'support after the grant was revoked',
    supportAfterRevoke,
    'users.view',
    theAccount,
    'credential_not_live',
    false,
  ],
  [
    "an Admin resets the Owner's TOTP",
    member('admin'),
    'member.totp.reset',
    theOwner,
    'owner_protected',
    false,
  ],
  [
    "an Admin changes the Owner's MFA flag",
    member('admin'),
    'member.mfa.set',
    theOwner,
    'owner_protected',
    false,
  ],
  ['an Admin deactivates the Owner', member('admin'), 'users.edit', theOwner, 'owner_protected', false],
  ["an Admin sets the Owner's role", member('admin'), 'member.role.set', theOwner, 'owner_fixed', false],
  [
    "an Admin restricts the Owner's permissions",
    member('admin'),
    'member.permissions.set',
    theOwner,
    'owner_fixed',
    false,
  ],
  [
    "an Admin resets a member's TOTP",
    member('admin'),
    'member.totp.reset',
    someone,
    'member_permission',
    true,
  ],
  ['an Admin transfers ownership', member('admin'), 'ownership.transfer', theAccount, 'reserved', false],
  ['an Admin closes the account', member('admin'), 'account.close', theAccount, 'reserved', false],
  [
    'an Admin issues API keys (operator only)',
    member('admin'),
    'api_keys.issue',
    theAccount,
    'reserved',
    false,
  ],
  [
    'an Admin edits a user of another account',
    member('admin'),
    'users.edit',
    elsewhere,
    'other_account',
    false,
  ],
  [
    "an Admin gives access in the account's child",
    member('admin'),
    'member.child_access.set',
    inMyChild,
    'member_permission',
    true,
  ],
  ['an Admin pushes groups by hand', member('admin'), 'groups.provision', theAccount, 'default_deny', false],
  [
    'the Owner transfers ownership',
    member('owner'),
    'ownership.transfer',
    theAccount,
    'owner_holds_all',
    true,
  ],
  ['the Owner closes the account', member('owner'), 'account.close', theAccount, 'owner_holds_all', true],
  [
    'the Owner resets their own TOTP',
    member('owner'),
    'member.totp.reset',
    theOwner,
    'owner_holds_all',
    true,
  ],
  ['the Owner sets their own role', member('owner'), 'member.role.set', theOwner, 'owner_fixed', false],
  [
    'an Owner with leftover restrictions reads members',
    strippedOwner,
    'users.view',
    theAccount,
    'owner_holds_all',
    true,
  ],
  [
    'an Admin stripped of every permission reads members',
    strippedAdmin,
    'users.view',
    theAccount,
    'default_deny',
    false,
  ],
  ['a Manager reads members', member('manager'), 'users.view', theAccount, 'member_permission', true],
  ['a Manager edits a user', member('manager'), 'users.edit', someone, 'default_deny', false],
  [
    'an Analyst granted users.edit by hand',
    member('analyst', { overrides: { mode: 'role', granted: ['users.view', 'users.edit'], restricted: [] } }),
    'users.edit',
    someone,
    'member_permission',
    true,
  ],
  [
    'a deactivated Admin',
    member('admin', { active: false }),
    'users.view',
    theAccount,
    'credential_not_live',
    false,
  ],
  ['a member asks authorize about themself', member('analyst'), 'authorize', myself, 'authorize_self', true],
  [
    'a member asks authorize about someone else',
    member('admin'),
    'authorize',
    someone,
    'authorize_others',
    false,
  ],
  ['a member with no role', member(null), 'users.view', theAccount, 'default_deny', false],
  [
    'an active member with a role signs in',
    member('analyst'),
    'sign_in',
    theAccount,
    'member_signs_in',
    true,
  ],
  ['a member with no role signs in', member(null), 'sign_in', theAccount, 'no_role_no_entry', false],
  [
    'a deactivated member signs in',
    member('admin', { active: false }),
    'sign_in',
    theAccount,
    'credential_not_live',
    false,
  ],
  ['the service key signs in', service, 'sign_in', theAccount, 'sign_in_members_only', false],
];

test.each(table)('%s', (_who, caller, action, target, rule, allowed) => {
  const decision = decideQuestion({ caller, action, definition: definitionOf(action), target });
  expect({ rule: decision.rule, allowed: decision.allowed }).toEqual({ rule, allowed });
});

test('a refusal names the permission and says not found for another account', () => {
  const refusal = decideQuestion({
    caller: member('manager'),
    action: 'users.edit',
    definition: definitionOf('users.edit'),
    target: someone,
  });
  expect(refusal).toMatchObject({ allowed: false, kind: 'forbidden', code: 'access.denied' });
  expect(!refusal.allowed && refusal.message).toContain('users.edit');
  const hidden = decideQuestion({
    caller: member('admin'),
    action: 'users.edit',
    definition: definitionOf('users.edit'),
    target: elsewhere,
  });
  expect(hidden).toMatchObject({ allowed: false, kind: 'not_found' });
});

test("the product's question: the Owner holds every permission whatever overrides say", () => {
  const book = new RuleBook(catalogue, { now: () => 0 });
  const actor = { kind: 'member' as const, accountId: account, userId: me, channel: 'admin-api' as const };
  const restricted = { mode: 'none' as const, granted: [], restricted: ['campaigns.send'] };
  const owner = { userId: me, active: true, roleKey: 'owner', overrides: restricted };
  expect(book.memberDecision(actor, owner, { permission: 'campaigns.send' })).toMatchObject({
    allowed: true,
    rule: 'owner_holds_all',
  });
  const admin = { ...owner, roleKey: 'admin' };
  expect(book.memberDecision(actor, admin, { permission: 'campaigns.send' })).toMatchObject({
    allowed: false,
    rule: 'default_deny',
  });
});

test('every action that writes is refused to support and the service key (but its own integration: webhooks, streams); every read but sign-in is open to the service key', () => {
  for (const action of actionNames) {
    const definition = definitionOf(action);
    const ask = (caller: Caller) => decideQuestion({ caller, action, definition, target: someone }).allowed;
    if (definition.writes) {
      // The product's backend manages its own webhook endpoints (`integration`), nothing else.
      expect([action, ask(support), ask(service)]).toEqual([action, false, definition.integration === true]);
    } else {
      expect([action, ask(service)]).toEqual([action, action !== 'sign_in']);
    }
  }
});
