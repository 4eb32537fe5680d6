import type { AccountId, GroupId, UserId } from '../ids';
import { DomainError } from '../errors';
import { assertText, normalizeCaseInsensitive, textLimits } from '../text';

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
  return normalizeCaseInsensitive(displayName);
}

export function assertValidDisplayName(displayName: string | undefined): asserts displayName is string {
  if (typeof displayName !== 'string' || !displayName.trim()) {
    throw DomainError.invalid('group.display_name_required', 'displayName is required and must not be blank');
  }
  assertText('group', 'displayName', displayName, textLimits.name, normalizeDisplayName);
}

/** externalId is stored as sent in VARCHAR(255), case-exact (RFC 7643). */
export function assertValidExternalId(externalId: string | null | undefined): void {
  assertText('group', 'externalId', externalId, textLimits.name);
}

export function auditSnapshot(group: Group): Record<string, unknown> {
  return { displayName: group.displayName, externalId: group.externalId, version: group.version };
}
