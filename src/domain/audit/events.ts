import type { Actor, Channel } from '../actor';
import type { AccountId } from '../ids';

export type AuditAction =
  | 'account.created'
  | 'scim_token.issued'
  | 'scim_token.revoked'
  | 'user.provisioned'
  | 'user.restored'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.deleted'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'user.role_changed'
  | 'mapping.created'
  | 'mapping.changed'
  | 'mapping.deleted'
  | 'account.ownership_transferred'
  | 'account.owner_deactivated'
  | 'account.closed'
  | 'account.default_role_set'
  | 'api_key.issued'
  | 'user.permissions_changed'
  | 'support_access.granted'
  | 'support_access.revoked'
  | 'support_access.expired'
  | 'support_access.session_opened'
  | 'hr_sync.mass_deactivation_allowed';

export type SubjectType =
  'account' | 'user' | 'group' | 'scim_token' | 'mapping' | 'api_key' | 'support_grant';

/** What a service says happened; the audit log adds who, through which channel and when. */
export interface AuditChange {
  action: AuditAction;
  subjectType: SubjectType;
  subjectId: string;
  before: unknown;
  after: unknown;
}

export interface AuditEvent extends AuditChange {
  /** Set on events read back: increasing, and the cursor of the audit log. */
  id?: number;
  accountId: AccountId;
  actorKind: Actor['kind'];
  actorId: string;
  channel: Channel;
  requestId: string | null;
  occurredAt: number;
}
