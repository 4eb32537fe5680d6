import type { AccountId, GroupId, UserId } from '../ids';
import { DomainError } from '../errors';

export interface Group {
  id: GroupId;
  accountId: AccountId;
  displayName: string;
  externalId: string | null;
  version: number;
  created: number;
  lastModified: number;
}

export interface GroupMember {
  userId: UserId;
  userName: string;
}

export interface GroupView {
  group: Group;
  /** Absent when the caller asked not to load members (excludedAttributes=members). */
  members?: GroupMember[];
}

export interface NewGroup {
  displayName: string;
  externalId: string | null;
  memberIds: UserId[];
}

/**
 * A membership change expressed without the current members, so its cost depends on the
 * change, never on the size of the group. `replaceMembersWith` (a full replace) is applied first.
 */
export interface GroupDelta {
  displayName?: string;
  externalId?: string | null;
  replaceMembersWith?: UserId[];
  addMemberIds: UserId[];
  removeMemberIds: UserId[];
}

export function normalizeDisplayName(displayName: string): string {
  return displayName.trim().toLowerCase();
}

export function assertValidDisplayName(displayName: string | undefined): asserts displayName is string {
  if (typeof displayName !== 'string' || !displayName.trim()) {
    throw DomainError.invalid('group.display_name_required', 'displayName is required and must not be blank');
  }
  if (displayName.length > 255) {
    throw DomainError.invalid('group.value_too_long', 'displayName is longer than 255 characters');
  }
}

export function auditSnapshot(group: Group): Record<string, unknown> {
  return { displayName: group.displayName, externalId: group.externalId, version: group.version };
}
