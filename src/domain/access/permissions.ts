import { DomainError } from '../errors';
import type { Catalogue, Permission, RoleKey } from './catalogue';

/**
 * Per-user permissions on top of the role (shared/seeds/003): "allow all", "allow none", or the
 * role's permissions; then single grants added and single restrictions taken away. The Owner
 * holds every permission: overrides never apply to the owner role (a transfer clears them too).
 */
export interface PermissionOverrides {
  mode: 'role' | 'all' | 'none';
  granted: readonly Permission[];
  restricted: readonly Permission[];
}

export const noOverrides: PermissionOverrides = { mode: 'role', granted: [], restricted: [] };

export function isNoOverride(overrides: PermissionOverrides): boolean {
  return overrides.mode === 'role' && overrides.granted.length === 0 && overrides.restricted.length === 0;
}

export function effectivePermissions(
  catalogue: Catalogue,
  roleKey: RoleKey | null,
  overrides: PermissionOverrides,
): Set<Permission> {
  if (roleKey === catalogue.ownerRole.key) return new Set(catalogue.permissions.map((p) => p.key));
  const base =
    overrides.mode === 'all'
      ? catalogue.permissions.map((p) => p.key)
      : overrides.mode === 'none' || roleKey === null
        ? []
        : [...catalogue.permissionsOf(roleKey)];
  const result = new Set<Permission>([...base, ...overrides.granted]);
  for (const permission of overrides.restricted) result.delete(permission);
  return result;
}

/** `effectivePermissions(…).has(permission)` without building the set (the authorize hot path). */
export function hasEffectivePermission(
  catalogue: Catalogue,
  roleKey: RoleKey | null,
  overrides: PermissionOverrides,
  permission: Permission,
): boolean {
  if (roleKey === catalogue.ownerRole.key) return catalogue.hasPermission(permission);
  if (overrides.restricted.includes(permission)) return false;
  if (overrides.granted.includes(permission) || overrides.mode === 'all') return true;
  if (overrides.mode === 'none' || roleKey === null) return false;
  return catalogue.permissionsOf(roleKey).has(permission);
}

/**
 * Refuses overrides that name an unknown permission, or would leave a permission without its
 * prerequisite (a grant whose prerequisite is missing, or a restriction of something another
 * granted permission requires), with a message naming both. (The Owner's are the rule book's.)
 */
export function assertValidOverrides(
  catalogue: Catalogue,
  roleKey: RoleKey | null,
  overrides: PermissionOverrides,
): void {
  for (const permission of [...overrides.granted, ...overrides.restricted]) {
    if (!catalogue.hasPermission(permission)) {
      throw DomainError.invalid(
        'permission.unknown',
        `"${permission}" is not a permission of the ${catalogue.name} catalogue`,
      );
    }
  }
  const result = effectivePermissions(catalogue, roleKey, overrides);
  for (const permission of result) {
    const missing = catalogue.requires(permission).find((required) => !result.has(required));
    if (missing === undefined) continue;
    const cause = overrides.restricted.includes(missing) ? `restricting ${missing} would leave` : 'granting';
    throw DomainError.invalid(
      'permissions.prerequisite_missing',
      `${permission} requires ${missing}: ${cause} ${permission} without it`,
    );
  }
}
