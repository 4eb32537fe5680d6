import type { Actor } from '../actor';
import { DomainError } from '../errors';
import type { Permission } from './catalogue';

/**
 * Who may use an account-administration permission. Operators (the CLI) and Roster's own jobs
 * may; a SCIM token provisions users and groups but administers nothing. Members acting through
 * the admin API are checked against their role's permissions (the admin API issue adds them).
 * Deny by default (R9).
 */
export function assertMay(actor: Actor, permission: Permission): void {
  if (actor.kind === 'operator' || actor.kind === 'system') return;
  throw DomainError.forbidden('access.denied', `This credential may not use ${permission}`);
}
