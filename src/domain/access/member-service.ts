import type { Actor } from '../actor';
import { pageLimit } from '../query';
import { DomainError } from '../errors';
import { isUuid, type UserId } from '../ids';
import type { MemberFilter, MemberRecord, Tx, UnitOfWork } from '../ports';
import type { Catalogue, Permission, RoleKey } from './catalogue';
import type { RoleSource } from './effective-role';
import { effectivePermissions, noOverrides, type PermissionOverrides } from './permissions';
import type { RuleBook } from './rule-book';
import { mfaRequirementFor, type MfaPolicy, type MfaReason } from '../mfa/mfa-policy';
import { policyOf } from '../mfa/mfa-state';

/** A member as the admin API, the access review and the CLI show them. */
export interface Member {
  id: UserId;
  userName: string;
  displayName: string | null;
  status: 'active' | 'inactive';
  role: RoleKey | null;
  roleName: string | null;
  /** Where the role comes from: owner, group, manual, default; null when the user has no role. */
  roleSource: RoleSource | null;
  /** The IdP group the role comes from, when roleSource is `group`. */
  roleGroup: string | null;
  /** The role an Owner or Admin gave by hand (in force unless a mapped group gives one). */
  manualRole: RoleKey | null;
  overrides: PermissionOverrides;
  /** What the user may do now: role, then overrides; nothing while inactive. */
  permissions: Permission[];
  mfa: MemberMfa;
  /** The user confirmed an authenticator for Roster's TOTP step-up (read-only). */
  totpEnrolled: boolean;
}

/** Whether the user must prove MFA at sign-in, which flag requires it, and the user's own flag. */
export interface MemberMfa {
  required: boolean;
  because: MfaReason | null;
  /** Set by the IdP (SCIM) or an Owner or Admin; null when not set. */
  userFlag: boolean | null;
}

/** A member in the access review: also when they last signed in (null if never). */
export type ReviewedMember = Member & { lastLogin: number | null };

export interface MemberPage {
  members: Member[];
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

export type MemberListFilter = Omit<MemberFilter, 'limit' | 'userId'> & { limit?: number };

const maxPage = 500;
const reviewPage = 1_000;

/**
 * Who is in the account and what they may do: the members list (users.view) and the quarterly
 * access review (audit.view, shared/seeds/004). Reads only; changes go through RoleService,
 * UserService and OwnershipService.
 */
export class MemberService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
  ) {}

  async list(actor: Actor, filter: MemberListFilter = {}): Promise<MemberPage> {
    const limit = pageLimit(filter.limit, maxPage, 'members.limit_invalid');
    if (filter.role !== undefined && filter.role !== null) this.assertKnownRole(filter.role);
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const records = await tx.members.list(actor.accountId, { ...filter, limit: limit + 1 });
      const page = records.slice(0, limit);
      const mfa = await policyOf(tx, actor.accountId);
      const enrolled = await enrolledAmong(tx, actor, page);
      return {
        members: page.map((record) => this.member(record, mfa, enrolled)),
        nextCursor: records.length > limit ? page[page.length - 1].userNameKey : null,
      };
    });
  }

  /** A member by id or userName. */
  async get(actor: Actor, userId: string): Promise<Member> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const record = await this.record(tx, actor, userId);
      const enrolled = await enrolledAmong(tx, actor, [record]);
      return this.member(record, await policyOf(tx, actor.accountId), enrolled);
    });
  }

  /** Every member, in one consistent read, for the access review (JSON or CSV). */
  async review(actor: Actor): Promise<ReviewedMember[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'audit.view');
      const members: ReviewedMember[] = [];
      const mfa = await policyOf(tx, actor.accountId);
      let after: string | undefined;
      for (;;) {
        const records = await tx.members.list(actor.accountId, { after, limit: reviewPage });
        const enrolled = await enrolledAmong(tx, actor, records);
        members.push(
          ...records.map((record) => ({
            ...this.member(record, mfa, enrolled),
            lastLogin: record.lastLogin,
          })),
        );
        if (records.length < reviewPage) return members;
        after = records[records.length - 1].userNameKey;
      }
    });
  }

  /** By id or userName (case-insensitive), as the CLI names people. */
  private async record(tx: Tx, actor: Actor, idOrUserName: string): Promise<MemberRecord> {
    const user = isUuid(idOrUserName)
      ? await tx.users.get(actor.accountId, idOrUserName as UserId)
      : await tx.users.findByUserName(actor.accountId, idOrUserName);
    const [record] = user ? await tx.members.list(actor.accountId, { userId: user.id, limit: 1 }) : [];
    if (!record) throw DomainError.notFound('user.not_found', `User ${idOrUserName} not found`);
    return record;
  }

  private member(record: MemberRecord, mfaPolicy: MfaPolicy, totpEnrolled: Set<UserId>): Member {
    const { effective } = record.role;
    const overrides = record.role.overrides ?? noOverrides;
    return {
      id: record.id,
      userName: record.userName,
      displayName: record.displayName,
      status: record.active ? 'active' : 'inactive',
      role: effective.roleKey,
      roleName: effective.roleKey === null ? null : (this.catalogue.role(effective.roleKey)?.name ?? null),
      roleSource: effective.source,
      roleGroup: effective.groupName,
      manualRole: record.role.manualRoleKey,
      overrides,
      permissions: record.active
        ? [...effectivePermissions(this.catalogue, effective.roleKey, overrides)].sort()
        : [],
      mfa: {
        ...mfaRequirementFor(mfaPolicy, effective.roleKey, record.mfaRequired),
        userFlag: record.mfaRequired,
      },
      totpEnrolled: totpEnrolled.has(record.id as UserId),
    };
  }

  private assertKnownRole(roleKey: string): void {
    if (this.catalogue.hasRole(roleKey)) return;
    const known = this.catalogue.roles.map((r) => r.key).join(', ');
    throw DomainError.invalid('role.unknown', `Unknown role "${roleKey}"; roles: ${known}`);
  }
}

/** Which of these members confirmed a TOTP authenticator (one query per page). */
function enrolledAmong(tx: Tx, actor: Actor, records: readonly MemberRecord[]): Promise<Set<UserId>> {
  return tx.totp.enrolledUserIds(
    actor.accountId,
    records.map((r) => r.id as UserId),
  );
}
