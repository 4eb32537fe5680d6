import type { Catalogue, RoleKey } from './catalogue';

/** Where a user's role comes from, strongest claim first (issue: "Who has which role"). */
export type RoleSource = 'owner' | 'group' | 'manual' | 'default';

export interface MappedRole {
  roleKey: RoleKey;
  groupId: string;
  groupName: string;
}

export interface RoleInputs {
  isOwner: boolean;
  /** Roles the user's IdP groups map to. */
  mapped: readonly MappedRole[];
  /** A role an Owner or Admin assigned by hand. */
  manualRoleKey: RoleKey | null;
  /** The account's default role, if it has one. */
  defaultRoleKey: RoleKey | null;
}

export interface EffectiveRole {
  roleKey: RoleKey | null;
  source: RoleSource | null;
  /** The group the role comes from, when source is `group`. */
  groupId: string | null;
  groupName: string | null;
}

export const noRole: EffectiveRole = { roleKey: null, source: null, groupId: null, groupName: null };

/**
 * The role a user has: the Owner is Owner; otherwise the strongest role among their mapped
 * groups; otherwise a role assigned by hand; otherwise the account's default; otherwise none.
 * No mapping, hand assignment or default ever yields the owner role (roles.md rule 4).
 */
export function effectiveRole(inputs: RoleInputs, catalogue: Catalogue): EffectiveRole {
  if (inputs.isOwner) {
    return { roleKey: catalogue.ownerRole.key, source: 'owner', groupId: null, groupName: null };
  }
  const grantable = (key: RoleKey | null): key is RoleKey =>
    key !== null && catalogue.hasRole(key) && key !== catalogue.ownerRole.key;
  const strongest = inputs.mapped
    .filter((m) => grantable(m.roleKey))
    .sort(
      (a, b) =>
        catalogue.rank(a.roleKey) - catalogue.rank(b.roleKey) || a.groupName.localeCompare(b.groupName),
    )[0];
  if (strongest) {
    return {
      roleKey: strongest.roleKey,
      source: 'group',
      groupId: strongest.groupId,
      groupName: strongest.groupName,
    };
  }
  if (grantable(inputs.manualRoleKey)) {
    return { roleKey: inputs.manualRoleKey, source: 'manual', groupId: null, groupName: null };
  }
  if (grantable(inputs.defaultRoleKey)) {
    return { roleKey: inputs.defaultRoleKey, source: 'default', groupId: null, groupName: null };
  }
  return noRole;
}

export function sameRole(a: EffectiveRole, b: EffectiveRole): boolean {
  return a.roleKey === b.roleKey && a.source === b.source && a.groupId === b.groupId;
}
