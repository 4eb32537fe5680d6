import type { Catalogue, Permission } from './catalogue';

/**
 * What the vendor's support staff may never do, whatever the role catalogue says (roles.md,
 * shared/seeds/002): change users or roles, reset MFA, import data, change the plan, view
 * integration secrets; nor give themselves more time or take the account over. A catalogue's own
 * `supportNever` adds to this list; it cannot shorten it.
 */
export const supportNeverAlways: ReadonlySet<Permission> = new Set([
  'users.invite',
  'users.edit',
  'users.delete',
  'users.resend_invite',
  'roles.assign',
  'mappings.edit',
  'mfa.reset',
  'data.import',
  'plan.change',
  'integrations.view_secrets',
  'account.transfer_ownership',
  'account.close',
  'support_access.grant',
  'support_access.revoke',
  'sso.configure',
  'scim.manage_tokens',
]);

export function supportMay(catalogue: Catalogue, permission: Permission): boolean {
  return (
    catalogue.hasPermission(permission) &&
    !supportNeverAlways.has(permission) &&
    !catalogue.supportNever.has(permission)
  );
}
