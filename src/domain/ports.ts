/**
 * What the domain needs from the outside world, as interfaces only. The storage adapter
 * implements them; tests use the real implementations on a real database.
 */
import type { Channel } from './actor';
import type { RoleKey } from './access/catalogue';
import type { EffectiveRole, MappedRole, RoleSource } from './access/effective-role';
import type { PermissionOverrides } from './access/permissions';
import type { AuditEvent } from './audit/events';
import type { AccountId, GroupId, ScimTokenId, UserId } from './ids';
import type { GroupField, ListQuery, Page, UserCollection, UserField } from './query';
import type { Group, GroupMember } from './groups/group';
import type { User, UserView } from './users/user';
import type { MfaPolicy } from './mfa/mfa-policy';
import type { SsoRepository, SsoSessionRepository } from './sso/sso-ports';
import type { InactivityRepository } from './lifecycle/inactivity-ports';
import type { DuePendingChange, HrTombstone, HrUserState, PendingChange } from './hr-sync/hr-types';
import type { TotpRepository } from './mfa/totp-ports';
import type { EventRepository } from './events/event-ports';
import type { DeliveryRepository, DeliveryTargetRepository } from './delivery/delivery-ports';
import type { WebhookSecretRepository } from './delivery/webhook-ports';
import type {
  AccountDomainRepository,
  HandOffSessionsEnded,
  OidcClientRepository,
  OidcPayloadRepository,
  SigningKeyRepository,
} from './oidc/oidc-ports';
import type { SsfStreamRepository } from './ssf/ssf-ports';

export interface Clock {
  now(): number;
}

export interface IdGenerator {
  newId(): string;
}

export interface Account {
  id: AccountId;
  name: string;
  status: 'active' | 'closed';
  ownerId: UserId;
  /** The role of a user in no mapped group and with no role assigned by hand; none when null. */
  defaultRoleKey: RoleKey | null;
  /** The Owner was deactivated: ownership must move (roles.md rule 7). */
  needsOwnershipTransfer: boolean;
  /** At most this many active users (shared/seeds/004); null when unlimited. */
  seatLimit: number | null;
  /** An Owner or Admin lifted the SCIM deprovisioning brake until then. */
  massDeprovisioningApprovedUntil: number | null;
  created: number;
  /** The parent of a child account (one level); null for a top-level account. */
  parentId?: AccountId | null;
}

export interface ScimToken {
  id: ScimTokenId;
  accountId: AccountId;
  label: string;
  created: number;
  lastUsed: number | null;
  revoked: number | null;
}

export interface ApiKey {
  id: string;
  accountId: AccountId;
  /** Null for the account's service key. */
  userId: UserId | null;
  kind: 'member' | 'service';
  label: string;
  created: number;
  lastUsed: number | null;
  revoked: number | null;
}

/** A key as its account's administrators see it: never the secret, nor its digest. */
export interface ApiKeyListing extends ApiKey {
  /** The member key's user; null for the service key (or a user since deleted). */
  userName: string | null;
}

export interface ApiKeyRepository {
  insert(key: ApiKey, keyHash: string): Promise<void>;
  /**
   * The key, its account's status and, for a member key, whether its user is active and has a
   * role: everything authentication needs, in one statement.
   */
  findByHash(
    keyHash: string,
  ): Promise<(ApiKey & { accountStatus: Account['status']; userHasAccess: boolean }) | null>;
  touch(keyId: string, at: number): Promise<void>;
  /** The account's keys, oldest first, with the userName of each member key's user. */
  list(accountId: AccountId): Promise<ApiKeyListing[]>;
  get(accountId: AccountId, keyId: string): Promise<ApiKeyListing | null>;
  /** Revokes a key that still works; false when it is unknown or was revoked already. */
  revoke(accountId: AccountId, keyId: string, at: number): Promise<boolean>;
  /** How many working member keys each of these users holds (only those with some). */
  liveKeyCounts(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, number>>;
  /** Revokes the member keys of these users that still work; returns how many. */
  revokeForUsers(accountId: AccountId, userIds: readonly UserId[], at: number): Promise<number>;
}

export interface AccountRepository {
  insert(
    account: Omit<
      Account,
      | 'ownerId'
      | 'defaultRoleKey'
      | 'needsOwnershipTransfer'
      | 'seatLimit'
      | 'massDeprovisioningApprovedUntil'
    >,
  ): Promise<void>;
  setOwner(accountId: AccountId, userId: UserId): Promise<void>;
  /** Compare-and-set: moves ownership only if `from` is still the Owner. */
  transferOwner(accountId: AccountId, from: UserId, to: UserId): Promise<boolean>;
  update(
    accountId: AccountId,
    change: Partial<
      Pick<
        Account,
        | 'status'
        | 'defaultRoleKey'
        | 'needsOwnershipTransfer'
        | 'seatLimit'
        | 'massDeprovisioningApprovedUntil'
      >
    >,
  ): Promise<void>;
  get(accountId: AccountId): Promise<Account | null>;
  /** Every account, oldest first (the operator's overview; accounts are few). */
  list(): Promise<Account[]>;
}

export interface UserTombstone {
  userId: UserId;
  accountId: AccountId;
  userName: string;
  externalId: string | null;
  employeeNumber: string | null;
  deleted: number;
}

export interface UserRepository {
  insert(user: User): Promise<void>;
  /** Writes every field of `user` whose row has `user.version - 1`; false when it does not. */
  update(user: User): Promise<boolean>;
  delete(accountId: AccountId, userId: UserId): Promise<void>;
  get(accountId: AccountId, userId: UserId): Promise<User | null>;
  /** The user with the groups they are a direct member of, their role and their MFA requirement. */
  getView(accountId: AccountId, userId: UserId): Promise<UserView | null>;
  findByExternalId(accountId: AccountId, externalId: string): Promise<User | null>;
  /** userName is case-insensitive (RFC 7643 §4.1.1). */
  findByUserName(accountId: AccountId, userName: string): Promise<User | null>;
  /** The users whose manager is `managerId`. */
  reportsOf(accountId: AccountId, managerId: UserId): Promise<User[]>;
  /** Keeps a deleted user's name and identifiers (the audit log, reprovisioning). */
  bury(tombstone: UserTombstone): Promise<void>;
  /** The tombstone of a deleted user with this externalId, else this employee number. */
  findTombstone(
    accountId: AccountId,
    externalId: string | null,
    employeeNumber: string | null,
  ): Promise<UserTombstone | null>;
  /** The tombstone of the deleted user with this id. */
  getTombstone(accountId: AccountId, userId: UserId): Promise<UserTombstone | null>;
  removeTombstone(accountId: AccountId, userId: UserId): Promise<void>;
  /**
   * The account of a user known only by id: the subject of a product's token, which Roster itself
   * issued (user ids are unique across accounts).
   */
  accountOf(userId: UserId): Promise<AccountId | null>;
  /** userNames of these ids, of living users and of deleted ones. */
  namesOf(accountId: AccountId, ids: readonly string[]): Promise<Map<string, string>>;
  /** Active users: the seats in use. */
  countActive(accountId: AccountId): Promise<number>;
  /** Those of `ids` that are users of the account. */
  existing(accountId: AccountId, ids: readonly UserId[]): Promise<Set<UserId>>;
  /** A page of users, each as getView gives it: groups, role and MFA requirement. */
  listViews(accountId: AccountId, query: ListQuery<UserField, UserCollection>): Promise<Page<UserView>>;
}

export interface GroupRepository {
  insert(group: Group): Promise<void>;
  update(group: Group): Promise<boolean>;
  delete(accountId: AccountId, groupId: GroupId): Promise<void>;
  get(accountId: AccountId, groupId: GroupId, options?: { forUpdate?: boolean }): Promise<Group | null>;
  list(accountId: AccountId, query: ListQuery<GroupField, 'members'>): Promise<Page<Group>>;
  /** Inserts the memberships that do not exist yet; returns the user ids actually added. */
  addMembers(accountId: AccountId, groupId: GroupId, userIds: readonly UserId[]): Promise<UserId[]>;
  /** Deletes the memberships that exist; returns the user ids actually removed. */
  removeMembers(accountId: AccountId, groupId: GroupId, userIds: readonly UserId[]): Promise<UserId[]>;
  memberIds(accountId: AccountId, groupId: GroupId): Promise<UserId[]>;
  members(accountId: AccountId, groupIds: readonly GroupId[]): Promise<Map<GroupId, GroupMember[]>>;
}

export interface ScimTokenRepository {
  insert(token: ScimToken, tokenHash: string): Promise<void>;
  findByHash(tokenHash: string): Promise<(ScimToken & { accountStatus: Account['status'] }) | null>;
  list(accountId: AccountId): Promise<ScimToken[]>;
  revoke(accountId: AccountId, tokenId: ScimTokenId, at: number): Promise<boolean>;
  touch(tokenId: ScimTokenId, at: number): Promise<void>;
}

/** How a mapping names an IdP group (issue: "by the group's id, externalId or displayName"). */
export type GroupMatchKind = 'id' | 'externalId' | 'displayName';

export interface RoleMapping {
  id: string;
  accountId: AccountId;
  matchKind: GroupMatchKind;
  /** As the admin wrote it; displayName matches case-insensitively. */
  matchValue: string;
  roleKey: RoleKey;
  created: number;
}

export interface StoredRole {
  effective: EffectiveRole;
  manualRoleKey: RoleKey | null;
  /** Absent where only the role was loaded or is being written. */
  overrides?: PermissionOverrides;
}

export interface SavedRole {
  userId: UserId;
  role: StoredRole;
}

/** What an authorization answer needs of a user: found by id or userName, in one statement. */
export interface UserAccess {
  userId: UserId;
  /** Usable now: active, and for a managed user of a child account, its home user active too. */
  active: boolean;
  roleKey: RoleKey | null;
  overrides: PermissionOverrides;
}

export interface RoleRepository {
  insertMapping(mapping: RoleMapping): Promise<void>;
  getMapping(accountId: AccountId, mappingId: string): Promise<RoleMapping | null>;
  deleteMapping(accountId: AccountId, mappingId: string): Promise<void>;
  setMappingRole(accountId: AccountId, mappingId: string, roleKey: RoleKey): Promise<void>;
  listMappings(accountId: AccountId): Promise<RoleMapping[]>;
  /** The users in any group that `mapping` matches. */
  membersMatching(
    accountId: AccountId,
    mapping: Pick<RoleMapping, 'matchKind' | 'matchValue'>,
  ): Promise<UserId[]>;
  /** For each user, the roles their groups map to. */
  mappedRoles(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, MappedRole[]>>;
  stored(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, StoredRole>>;
  /** The user with this id or userName (case-insensitive), with their role; null when none. */
  accessOf(accountId: AccountId, user: { id: UserId } | { userName: string }): Promise<UserAccess | null>;
  /** Writes the role columns; leaves permission overrides as they are. */
  save(accountId: AccountId, userId: UserId, role: StoredRole, at: number): Promise<void>;
  /** `save` for many users in a few statements (a mapping change can move 100,000 roles). */
  saveMany(accountId: AccountId, roles: readonly SavedRole[], at: number): Promise<void>;
  saveOverrides(
    accountId: AccountId,
    userId: UserId,
    overrides: PermissionOverrides,
    at: number,
  ): Promise<void>;
  /** Every user of the account (for a change that can move anyone's role, such as the default role). */
  usersOf(accountId: AccountId): Promise<UserId[]>;
}

export interface AuditFilter {
  limit?: number;
  before?: number;
  actorId?: string;
  subjectId?: string;
  action?: string;
  since?: number;
  until?: number;
}

export interface AuditRepository {
  append(event: AuditEvent): Promise<void>;
  /** How many events with these actions through this channel happened at or after `since`. */
  count(accountId: AccountId, actions: readonly string[], channel: Channel, since: number): Promise<number>;
  /**
   * How many users were left without a role by their groups at or after `since`, through any
   * channel: `user.role_changed` events from a group's role to none.
   */
  countRolesLostThroughGroups(accountId: AccountId, since: number): Promise<number>;
  /** Appends in order, in a few multi-row statements. */
  appendMany(events: readonly AuditEvent[]): Promise<void>;
  /** Newest first; `before` is the id of the last event of the previous page (a cursor). */
  list(accountId: AccountId, options?: AuditFilter): Promise<AuditEvent[]>;
}

export interface Invitation {
  id: string;
  accountId: AccountId;
  userId: UserId;
  /** The actor id of who invited (or last resent). */
  invitedBy: string;
  /**
   * Settled by the invitee (accepted), by time (expired), or by another channel first: `provisioned`
   * when the IdP or HR activated the user, `revoked` when they were deactivated or deleted.
   */
  status: 'pending' | InvitationOutcome;
  created: number;
  sent: number;
  sentCount: number;
  expires: number;
  accepted: number | null;
}

export type InvitationOutcome = 'accepted' | 'expired' | 'provisioned' | 'revoked';

export interface InvitationRepository {
  insert(invitation: Invitation, tokenHash: string): Promise<void>;
  get(accountId: AccountId, id: string): Promise<Invitation | null>;
  findByTokenHash(tokenHash: string): Promise<Invitation | null>;
  /** Newest first, with the invited user's userName. */
  list(accountId: AccountId): Promise<(Invitation & { userName: string })[]>;
  /** A new secret and a new validity: the old secret stops working. */
  resend(id: string, tokenHash: string, by: string, sent: number, expires: number): Promise<void>;
  /** Compare-and-set from pending; false when it was no longer pending. */
  settle(id: string, status: InvitationOutcome, at: number): Promise<boolean>;
  /** The user's pending invitation, if any (past its end or not). */
  pendingFor(accountId: AccountId, userId: UserId): Promise<Invitation | null>;
  /** Pending invitations of inactive users: each holds its user's seat (an active user holds their own). */
  countHeldSeats(accountId: AccountId): Promise<number>;
  /** Pending invitations past their end, across accounts, oldest first. */
  due(now: number, limit: number): Promise<Invitation[]>;
}

/** The repositories bound to one open transaction. */
export interface Tx {
  accounts: AccountRepository;
  users: UserRepository;
  groups: GroupRepository;
  scimTokens: ScimTokenRepository;
  roles: RoleRepository;
  apiKeys: ApiKeyRepository;
  audit: AuditRepository;
  members: MemberRepository;
  jobLeases: JobLeaseRepository;
  support: SupportAccessRepository;
  invitations: InvitationRepository;
  children: ChildAccountRepository;
  mfa: MfaPolicyRepository;
  sso: SsoRepository;
  ssoSessions: SsoSessionRepository;
  inactivity: InactivityRepository;
  hr: HrSyncRepository;
  totp: TotpRepository;
  oidcClients: OidcClientRepository;
  oidcPayloads: OidcPayloadRepository;
  domains: AccountDomainRepository;
  signingKeys: SigningKeyRepository;
  ssfStreams: SsfStreamRepository;
  /** The change feed's outbox: events appended with the change they describe. */
  events: EventRepository;
  /** Where the delivery loop pushes events (webhook endpoints, SSF push streams). */
  deliveryTargets: DeliveryTargetRepository;
  /** The delivery queue and log: one row per event per target. */
  deliveries: DeliveryRepository;
  webhookSecrets: WebhookSecretRepository;
  /**
   * Something to do once this transaction has committed, never when it rolls back: telling the
   * products that Roster ended a session (delivered in process, with a few retries).
   */
  afterCommit(effect: CommitEffect): void;
}

/** What a transaction asks to happen after it commits. */
export type CommitEffect = HandOffSessionsEnded;

export interface UnitOfWork {
  /**
   * Runs `work` in one transaction: all of it commits or none of it. With an account id, the
   * account's writes are serialized (a row lock on MySQL/MariaDB, a process mutex on SQLite),
   * so rules that read before they write cannot act on stale reads.
   */
  write<T>(accountId: AccountId | null, work: (tx: Tx) => Promise<T>): Promise<T>;
  /** A consistent read (on SQLite it waits for open transactions on the shared connection). */
  read<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Filters of the members list; a null role or source means "none". */
export interface MemberFilter {
  role?: RoleKey | null;
  status?: 'active' | 'inactive';
  source?: RoleSource | null;
  /** The userName (lowercased) of the last member of the previous page (keyset cursor). */
  after?: string;
  /** Just this user. */
  userId?: UserId;
  limit: number;
}

/** A user as the member list and the access review see them: the record and the role store's answer. */
export interface MemberRecord {
  id: UserId;
  userName: string;
  /** The lowercased userName: the list's order and cursor. */
  userNameKey: string;
  displayName: string | null;
  active: boolean;
  role: StoredRole;
  /** The user's own MFA flag (null: not set). */
  mfaRequired: boolean | null;
  /** When the user last signed in through SSO; null if never. */
  lastLogin: number | null;
}

export interface MemberRepository {
  /** Ordered by userName (case-insensitive), at most `limit`. */
  list(accountId: AccountId, filter: MemberFilter): Promise<MemberRecord[]>;
}

export interface JobLease {
  name: string;
  holder: string | null;
  leaseUntil: number | null;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastOutcome: string | null;
}

export interface JobLeaseRepository {
  /** Takes the lease if it is free, expired or already `holder`'s; false when another holder has it. */
  acquire(name: string, holder: string, now: number, until: number): Promise<boolean>;
  /** Extends a lease `holder` still has; false when it was lost (expired and taken). */
  renew(name: string, holder: string, until: number): Promise<boolean>;
  release(name: string, holder: string, finishedAt: number, outcome: string): Promise<void>;
  list(): Promise<JobLease[]>;
}

export interface SupportGrant {
  id: string;
  accountId: AccountId;
  /** The actor id of who granted it, and how a person reads it (a userName, or an operator). */
  grantedBy: string;
  grantedByName: string;
  created: number;
  expires: number;
  ended: number | null;
  endReason: 'revoked' | 'expired' | 'replaced' | null;
  endedBy: string | null;
}

export interface SupportSession {
  id: string;
  accountId: AccountId;
  grantId: string;
  agent: string;
  created: number;
}

export interface SupportAccessRepository {
  insertGrant(grant: SupportGrant): Promise<void>;
  /** The grant not yet ended and not expired at `now`, if any. */
  activeGrant(accountId: AccountId, now: number): Promise<SupportGrant | null>;
  grants(accountId: AccountId): Promise<SupportGrant[]>;
  getGrant(accountId: AccountId, grantId: string): Promise<SupportGrant | null>;
  /** False when the grant had already ended (another run or request got there first). */
  endGrant(
    grantId: string,
    at: number,
    reason: SupportGrant['endReason'] & string,
    by: string,
  ): Promise<boolean>;
  /** Grants of every account past their expiry and not yet marked ended. */
  expiredUnended(now: number, limit: number): Promise<SupportGrant[]>;
  insertSession(session: SupportSession, tokenHash: string): Promise<void>;
  /** The session with its grant and the account's status. */
  findSession(
    tokenHash: string,
  ): Promise<{ session: SupportSession; grant: SupportGrant; accountStatus: Account['status'] } | null>;
}

/** A parent user's access to a child account: the managed user row that stands for them there. */
export interface ChildAccess {
  childId: AccountId;
  managedUserId: UserId;
}

export interface ChildAccountRepository {
  /** The parent's children, oldest first. */
  childrenOf(parentId: AccountId): Promise<Account[]>;
  /** Marks `userId` (a user of `accountId`) as standing for `homeUserId` of the parent. */
  setHome(accountId: AccountId, userId: UserId, homeUserId: UserId): Promise<void>;
  /** Whether the home user of a managed user is active; null when `userId` is not a managed user. */
  homeActive(userId: UserId): Promise<boolean | null>;
  /**
   * Serializes this write with the child's own writes (its SCIM, its admin API): a row lock on
   * MySQL/MariaDB; on SQLite every write is serialized already.
   */
  lockChild(childId: AccountId): Promise<void>;
  /** The children where `homeUserId` has a managed user. */
  accessOf(homeUserId: UserId): Promise<ChildAccess[]>;
}

export interface MfaPolicyRepository {
  /** Null when the account never set a policy (the default applies). */
  get(accountId: AccountId): Promise<MfaPolicy | null>;
  /** Creates or replaces the account's policy. */
  save(accountId: AccountId, policy: MfaPolicy, at: number): Promise<void>;
  /** The accounts whose stored policy matches (every policy is read: accounts are few). */
  accountsWhere(match: (policy: MfaPolicy) => boolean): Promise<AccountId[]>;
}

/** What the HR sync keeps: which users an account's HR export owns, and start/termination dates still to come. */
export interface HrSyncRepository {
  /** The users the export owns, each with the HR fields the plan compares. */
  ownedUsers(accountId: AccountId): Promise<HrUserState[]>;
  /** Users not owned by the export whose employee number or userName is one of these. */
  unownedMatches(
    accountId: AccountId,
    employeeIds: readonly string[],
    emails: readonly string[],
  ): Promise<HrUserState[]>;
  /** The account's deleted users (tombstones) with their employee number and userName, oldest first. */
  tombstones(accountId: AccountId): Promise<HrTombstone[]>;
  own(accountId: AccountId, employeeId: string, userId: UserId, at: number): Promise<void>;
  pending(accountId: AccountId): Promise<PendingChange[]>;
  /** Replaces the user's pending changes with `changes` (none: clears them). */
  replacePending(
    accountId: AccountId,
    userId: UserId,
    changes: readonly PendingChange[],
    at: number,
  ): Promise<void>;
  /** Pending changes of every account due at `now`, oldest first. */
  due(now: number, limit: number): Promise<DuePendingChange[]>;
  /** False when another run removed it first. */
  removePending(id: string): Promise<boolean>;
  activeUsers(accountId: AccountId): Promise<number>;
}
