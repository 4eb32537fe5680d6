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
  | 'account.seat_limit_changed'
  | 'account.mass_deprovisioning_approved'
  | 'account.closed'
  | 'account.default_role_set'
  | 'api_key.issued'
  | 'api_key.revoked'
  | 'user.permissions_changed'
  | 'support_access.granted'
  | 'support_access.revoked'
  | 'support_access.expired'
  | 'support_access.session_opened'
  | 'invitation.sent'
  | 'invitation.resent'
  | 'invitation.accepted'
  | 'invitation.expired'
  | 'invitation.provisioned'
  | 'invitation.revoked'
  | 'child.created'
  | 'child.access_granted'
  | 'child.access_changed'
  | 'child.access_removed'
  | 'mfa.policy_changed'
  | 'user.mfa_required_changed'
  | 'sso.configured'
  | 'sso.removed'
  | 'sso.login_succeeded'
  | 'sso.login_refused'
  | 'account.inactivity_configured'
  | 'user.flagged_inactive'
  | 'hr_sync.mass_deactivation_allowed'
  | 'sso.mfa_step_up_started'
  | 'mfa.totp_enrolled'
  | 'mfa.totp_code_refused'
  | 'mfa.totp_locked'
  | 'mfa.backup_code_used'
  | 'mfa.totp_reset'
  | 'sso.session_lifetimes_set'
  | 'sso.session_started'
  | 'sso.session_ended'
  | 'account.domain_claimed'
  | 'account.domain_released'
  | 'oidc.sessions_ended'
  | 'deprovisioning.brake_held'
  | 'hr_sync.finished'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'webhook.replayed'
  | 'webhook.disabled'
  | 'ssf.stream_created'
  | 'ssf.stream_updated'
  | 'ssf.stream_status_changed'
  | 'ssf.stream_deleted'
  | 'ssf.sets_refused';

export type SubjectType =
  | 'account'
  | 'user'
  | 'group'
  | 'scim_token'
  | 'mapping'
  | 'api_key'
  | 'support_grant'
  | 'invitation'
  | 'webhook'
  | 'ssf_stream';

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
  /** On events read back: the userName of a member actor, even after their deletion. */
  actorName?: string | null;
  /** On events read back: the userName of a user subject, even after their deletion. */
  subjectName?: string | null;
}
