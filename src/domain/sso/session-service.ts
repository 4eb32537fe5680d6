import type { Catalogue, RoleKey } from '../access/catalogue';
import { shortened, textLimits } from '../text';
import { effectivePermissions, noOverrides } from '../access/permissions';
import type { Action } from '../access/actions';
import type { RuleBook } from '../access/rule-book';
import { isUsableMember } from '../accounts/usable-member';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { SecretCodec } from '../tokens/scim-token-service';
import type { SamlSubject, SessionMfa, SsoSession } from './sso-ports';
import { endHandOff, endUsersHandOffs } from '../oidc/hand-off-sessions';

/** Used when the account has not set its own (PUT /api/v1/sso/session-lifetimes). */
export const defaultSessionLifetimes = { idleMinutes: 8 * 60, absoluteMinutes: 24 * 60 } as const;

/** Until MFA at login exists (branch mfa-login fills `mfa` in), a session says MFA was not required. */
export const mfaNotRequired: SessionMfa = { method: 'not_required', detail: null };

/** Use pushes the idle end forward at most this often: a write per request would cost more. */
const touchEveryMs = 60_000;

export interface StartedSession {
  session: SsoSession;
  /** The cookie value: given to the browser once, stored only as a digest. */
  secret: string;
}

export interface SignedIn {
  actor: Actor & { kind: 'member' };
  session: SsoSession;
}

/** Who the caller is (GET /api/v1/me, the landing page), and what they may do (from the rule book). */
export interface MeView {
  /** A member (session or member key), the service key, or a support agent. */
  caller: { kind: 'member' | 'service' | 'support'; agent: string | null };
  /** Null for the service key and support. */
  user: { id: UserId; userName: string; displayName: string | null } | null;
  account: { id: AccountId; name: string };
  role: { key: RoleKey; name: string } | null;
  permissions: string[];
  /** The actions the caller may take on the account now (actions.ts), for a console to show or hide. */
  actions: Action[];
  /** Null for an API key: MFA is a property of a browser sign-in. */
  session: { mfa: SessionMfa; started: number; idleExpires: number; absoluteExpires: number } | null;
}

const minute = 60_000;

/**
 * Browser sessions after a SAML sign-in. A session acts as its user with
 * their permissions, like a member API key, until it is idle too long, reaches its absolute end,
 * is logged out, or its user loses access (endAccess ends it in the same transaction).
 */
export class SessionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
  ) {}

  /**
   * Starts a session for a user the sign-in just let in; `actor` is the SAML endpoint, `samlSubject`
   * who the IdP named (what single logout names later).
   */
  async start(
    actor: Actor,
    userId: UserId,
    mfa: SessionMfa = mfaNotRequired,
    samlSubject: SamlSubject | null = null,
  ): Promise<StartedSession> {
    const now = this.clock.now();
    return this.uow.write(actor.accountId, async (tx) => {
      await tx.ssoSessions.purgeExpired(actor.accountId, now);
      const config = await tx.sso.getConfig(actor.accountId);
      const idleMinutes = config?.sessionIdleMinutes ?? defaultSessionLifetimes.idleMinutes;
      const absoluteMinutes = config?.sessionAbsoluteMinutes ?? defaultSessionLifetimes.absoluteMinutes;
      const secret = `rss_${this.codec.newSecret().replace(/^rst_/, '')}`;
      const absoluteExpires = now + absoluteMinutes * minute;
      const session: SsoSession = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        userId,
        created: now,
        lastSeen: now,
        idleExpires: Math.min(now + idleMinutes * minute, absoluteExpires),
        absoluteExpires,
        idleMinutes,
        // sso_sessions.mfa_detail is VARCHAR(1024); the detail quotes an IdP value that may be as long.
        mfa: { ...mfa, detail: mfa.detail === null ? null : shortened(mfa.detail, textLimits.longName) },
        samlSubject,
        handOffUid: null,
      };
      await tx.ssoSessions.insert(session, this.codec.digest(secret));
      await recordAudit(tx, actor, this.clock, {
        action: 'sso.session_started',
        subjectType: 'user',
        subjectId: userId,
        before: null,
        after: {
          session: session.id,
          mfa: mfa.method,
          ...(mfa.detail ? { mfaDetail: mfa.detail } : {}),
          idleExpires: iso(session.idleExpires),
          absoluteExpires: iso(absoluteExpires),
        },
      });
      return { session, secret };
    });
  }

  /** The member a cookie stands for; unauthenticated when unknown, expired, or its user lost access. */
  async authenticate(secret: string, channel: Actor['channel'], requestId?: string): Promise<SignedIn> {
    const now = this.clock.now();
    const session = await this.uow.read(async (tx) => {
      const found = await tx.ssoSessions.findByHash(this.codec.digest(secret));
      if (!found || found.idleExpires <= now || found.absoluteExpires <= now) return null;
      return (await this.stillMember(tx, found)) ? found : null;
    });
    if (!session) {
      throw DomainError.unauthenticated(
        'session.invalid',
        'The session has ended (signed out, expired, or access removed); sign in again',
      );
    }
    if (now - session.lastSeen > touchEveryMs) {
      const idleExpires = Math.min(now + session.idleMinutes * minute, session.absoluteExpires);
      await this.uow.write(null, (tx) => tx.ssoSessions.touch(session.id, now, idleExpires));
    }
    const actor = {
      kind: 'member' as const,
      accountId: session.accountId,
      userId: session.userId,
      channel,
      requestId,
    };
    return { actor, session };
  }

  /** The CSRF token of a session, derived from its secret: nothing more is stored. */
  csrfToken(secret: string): string {
    return this.codec.digest(`csrf:${secret}`);
  }

  /**
   * Logs out: the session ends at once, on every instance, and so does the product sign-in its
   * login created (the product is told by back-channel). False when it had already ended.
   */
  async end(signedIn: SignedIn): Promise<boolean> {
    const { actor, session } = signedIn;
    return this.uow.write(actor.accountId, async (tx) => {
      if (!(await tx.ssoSessions.delete(session.id))) return false;
      await recordAudit(tx, actor, this.clock, {
        action: 'sso.session_ended',
        subjectType: 'user',
        subjectId: session.userId,
        before: { session: session.id },
        after: { reason: 'logout' },
      });
      if (session.handOffUid) await endHandOff(tx, actor, this.clock, session.handOffUid, 'logout');
      return true;
    });
  }

  /**
   * The IdP's single logout (a LogoutRequest it signed): the account's sessions of that NameID (and
   * SessionIndex, when given) end, with the product sign-ins they started. Returns how many.
   */
  async endForIdpLogout(
    actor: Actor,
    subject: { nameId: string; sessionIndex: string | null },
  ): Promise<number> {
    return this.uow.write(actor.accountId, async (tx) => {
      const sessions = await tx.ssoSessions.findBySamlSubject(
        actor.accountId,
        subject.nameId,
        subject.sessionIndex,
      );
      for (const session of sessions) {
        if (!(await tx.ssoSessions.delete(session.id))) continue;
        await recordAudit(tx, actor, this.clock, {
          action: 'sso.session_ended',
          subjectType: 'user',
          subjectId: session.userId,
          before: { session: session.id },
          after: { reason: 'idp_logout' },
        });
        if (session.handOffUid) await endHandOff(tx, actor, this.clock, session.handOffUid, 'idp_logout');
      }
      return sessions.length;
    });
  }

  /**
   * An admin signs a person out everywhere (a lost laptop, a suspicion) without taking their access:
   * their browser sessions and product sign-ins end at once, and the products are told by back-channel.
   */
  async endAllOf(actor: Actor, idOrUserName: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const user = isUuid(idOrUserName)
        ? await tx.users.get(actor.accountId, idOrUserName as UserId)
        : await tx.users.findByUserName(actor.accountId, idOrUserName);
      if (!user) throw DomainError.notFound('user.not_found', `User ${idOrUserName} not found`);
      await this.rules.assert(tx, actor, 'member.sessions.end', await this.rules.userTarget(tx, user));
      await endSessions(tx, actor, this.clock, [user.id], 'signed_out_by_admin');
    });
  }

  /** The caller: user, account, role and permissions (members), and what they may do; the session's MFA if any. */
  async me(actor: Actor, session: SsoSession | null): Promise<MeView> {
    if (actor.kind !== 'member' && actor.kind !== 'service' && actor.kind !== 'support') {
      throw DomainError.forbidden('me.caller_unknown', 'GET /me answers for API keys, sessions and support');
    }
    return this.uow.read(async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account) throw DomainError.notFound('account.not_found', 'Your account no longer exists');
      const actions = await this.rules.allowedActions(tx, actor);
      const caller = { kind: actor.kind, agent: actor.kind === 'support' ? actor.agent : null };
      const base = { caller, account: { id: account.id, name: account.name }, actions, session: null };
      if (actor.kind !== 'member') return { ...base, user: null, role: null, permissions: [] };
      const user = await tx.users.get(actor.accountId, actor.userId);
      if (!user) throw DomainError.notFound('user.not_found', 'Your user no longer exists');
      const stored = (await tx.roles.stored(actor.accountId, [user.id])).get(user.id);
      const roleKey = stored?.effective.roleKey ?? null;
      const permissions = effectivePermissions(this.catalogue, roleKey, stored?.overrides ?? noOverrides);
      return {
        ...base,
        user: { id: user.id, userName: user.userName, displayName: user.displayName },
        role: roleKey === null ? null : { key: roleKey, name: this.catalogue.role(roleKey)?.name ?? roleKey },
        permissions: [...permissions].sort(),
        session: session && {
          mfa: session.mfa,
          started: session.created,
          idleExpires: session.idleExpires,
          absoluteExpires: session.absoluteExpires,
        },
      };
    });
  }

  private async stillMember(tx: Tx, session: SsoSession): Promise<boolean> {
    const account = await tx.accounts.get(session.accountId);
    if (account?.status !== 'active') return false;
    const user = await tx.users.get(session.accountId, session.userId);
    const role = user ? (await tx.roles.stored(session.accountId, [user.id])).get(user.id) : undefined;
    return (await isUsableMember(tx, user)) && Boolean(role?.effective.roleKey);
  }
}

/**
 * Part of endAccess: a leaver's browser sessions and product sign-ins (with every code and token
 * issued to products) end in the transaction that made them a leaver; products are told after commit.
 */
export async function endSessions(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userIds: readonly UserId[],
  reason: string,
): Promise<void> {
  await endUsersHandOffs(tx, actor, clock, userIds, reason);
  const ended = await tx.ssoSessions.deleteForUsers(actor.accountId, userIds);
  for (const [userId, sessions] of ended) {
    await recordAudit(tx, actor, clock, {
      action: 'sso.session_ended',
      subjectType: 'user',
      subjectId: userId,
      before: { sessions },
      after: { reason },
    });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
