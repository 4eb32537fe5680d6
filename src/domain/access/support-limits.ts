import type { Permission } from './catalogue';

/**
 * What the vendor's support staff never see, even to read, whatever the role catalogue says:
 * integration secrets and credentials (roles.md, shared/seeds/002: "view integration secrets"),
 * which the SSO settings and the SCIM token list are. Writes are never theirs at all (the rule
 * book's support_read_only). A catalogue's own `supportNever` adds to this list.
 */
export const supportNeverAlways: ReadonlySet<Permission> = new Set([
  'integrations.view_secrets',
  'sso.configure',
  'scim.manage_tokens',
]);
