import type { Catalogue, RoleKey } from '../access/catalogue';
import { effectivePermissions } from '../access/permissions';
import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Clock, Tx, UnitOfWork, UserAccess } from '../ports';
import type { SsoSession } from '../sso/sso-ports';
import { emailDomainOf } from './email-domain';
import { endHandOff } from './hand-off-sessions';

/** Who signed in, as the ID token and userinfo tell the product. Read from the role store. */
export interface HandOffClaims {
  userId: UserId;
  accountId: AccountId;
  accountName: string;
  userName: string;
  email: string | null;
  name: string | null;
  role: { key: RoleKey; name: string };
  permissions: string[];
}

/** Which account a sign-in request names, or why none. */
export type AccountChoice =
  | { accountId: AccountId }
  | { refused: 'unknown_account' | 'unclaimed_domain' | 'domain_of_another_account' | 'no_account_named' };

/** The provider's table keeps the pending returns from the IdP's logout too (a model name it never uses). */
const logoutReturnModel = 'RosterLogoutReturn';
const logoutReturnMs = 10 * 60_000;

/** How often the sweep deletes expired records, at most per run (it runs again next interval). */
const sweepBatch = 5_000;

/** Roster's system actor for what the hand-off does by itself (expiry). */
function handOffActor(accountId: AccountId, job: string): Actor {
  return { kind: 'system', accountId, job, channel: 'job' };
}

/**
 * The sign-in hand-off to products (OpenID Connect): which account a request names, what the
 * tokens say about the person (from the role store, as `/me` does), and keeping Roster's browser
 * session and the provider's session one: either ending ends the other.
 */
export class HandOffService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
  ) {}

  /**
   * The account named by `account` (its id), else by the domain of `login_hint`. When both are
   * given they must agree: a hint whose domain another account claimed is refused, never followed.
   */
  async accountFor(request: { account?: string; loginHint?: string }): Promise<AccountChoice> {
    return this.uow.read(async (tx) => {
      const hinted = request.loginHint ? emailDomainOf(request.loginHint) : null;
      const holder = hinted ? ((await tx.domains.find(hinted))?.accountId ?? null) : null;
      if (request.account !== undefined) {
        const account = isUuid(request.account) ? await tx.accounts.get(request.account as AccountId) : null;
        if (!account || account.status !== 'active') return { refused: 'unknown_account' };
        if (holder && holder !== account.id) return { refused: 'domain_of_another_account' };
        return { accountId: account.id };
      }
      if (!request.loginHint) return { refused: 'no_account_named' };
      return holder ? { accountId: holder } : { refused: 'unclaimed_domain' };
    });
  }

  /** The person's claims now, or null when they may no longer sign in (deactivated, no role). */
  async claimsFor(userId: string): Promise<HandOffClaims | null> {
    if (!isUuid(userId)) return null;
    return this.uow.read(async (tx) => {
      const accountId = await tx.users.accountOf(userId as UserId);
      if (!accountId) return null;
      const [user, account] = await Promise.all([
        tx.users.get(accountId, userId as UserId),
        tx.accounts.get(accountId),
      ]);
      if (!user || account?.status !== 'active') return null;
      const access = await tx.roles.accessOf(accountId, { id: user.id });
      const roleKey = access?.roleKey ?? null;
      if (!this.mayEnter(user, access) || !access || roleKey === null) return null;
      const permissions = effectivePermissions(this.catalogue, roleKey, access.overrides);
      const primary = user.emails.find((e) => e.primary) ?? user.emails[0];
      return {
        userId: user.id,
        accountId,
        accountName: account.name,
        userName: user.userName,
        email: primary?.value ?? null,
        name: user.displayName ?? ([user.givenName, user.familyName].filter(Boolean).join(' ') || null),
        role: { key: roleKey, name: this.catalogue.role(roleKey)?.name ?? roleKey },
        permissions: [...permissions].sort(),
      };
    });
  }

  /** Ties the provider's new session to the Roster session whose sign-in created it. */
  async link(ssoSessionId: string, handOffUid: string): Promise<void> {
    await this.uow.write(null, (tx) => tx.ssoSessions.link(ssoSessionId, handOffUid));
  }

  /** True while a Roster session tied to this provider session is alive and its user may enter. */
  async isLive(handOffUid: string): Promise<boolean> {
    const now = this.clock.now();
    return this.uow.read(async (tx) => {
      for (const session of await tx.ssoSessions.findByHandOff(handOffUid)) {
        if (
          session.idleExpires > now &&
          session.absoluteExpires > now &&
          (await this.stillMember(tx, session))
        ) {
          return true;
        }
      }
      return false;
    });
  }

  /**
   * The product logged the person out (RP-initiated logout): the provider ended its session and told
   * the other products; Roster's sessions tied to it end too. Returns those it ended (what SAML
   * single logout names at the IdP).
   */
  async providerSessionEnded(handOffUid: string): Promise<SsoSession[]> {
    const sessions = await this.uow.read((tx) => tx.ssoSessions.findByHandOff(handOffUid));
    const ended: SsoSession[] = [];
    for (const session of sessions) {
      const actor: Actor = {
        kind: 'system',
        accountId: session.accountId,
        job: 'oidc-logout',
        channel: 'saml',
      };
      const deleted = await this.uow.write(session.accountId, async (tx) => {
        if (!(await tx.ssoSessions.delete(session.id))) return false;
        await recordAudit(tx, actor, this.clock, {
          action: 'sso.session_ended',
          subjectType: 'user',
          subjectId: session.userId,
          before: { session: session.id },
          after: { reason: 'product_logout' },
        });
        return true;
      });
      if (deleted) ended.push(session);
    }
    return ended;
  }

  /**
   * While the IdP ends its own session (SAML single logout after a product's logout), where the
   * browser goes once it comes back: kept in the database under a random key (any instance may
   * receive the IdP's answer), for ten minutes, used once.
   */
  async awaitIdpLogout(key: string, returnTo: string): Promise<void> {
    await this.uow.write(null, (tx) =>
      tx.oidcPayloads.upsert({
        model: logoutReturnModel,
        id: key,
        payload: JSON.stringify({ returnTo }),
        grantId: null,
        uid: null,
        userCode: null,
        userId: null,
        expires: this.clock.now() + logoutReturnMs,
      }),
    );
  }

  /** Where the browser goes after the IdP's logout (awaitIdpLogout); null when unknown, used or expired. */
  async afterIdpLogout(key: string): Promise<string | null> {
    const now = this.clock.now();
    return this.uow.write(null, async (tx) => {
      const stored = await tx.oidcPayloads.find(logoutReturnModel, key, now);
      if (!stored || !(await tx.oidcPayloads.consume(logoutReturnModel, key, now))) return null;
      await tx.oidcPayloads.destroy(logoutReturnModel, key);
      const { returnTo } = JSON.parse(stored.payload) as { returnTo?: unknown };
      return typeof returnTo === 'string' ? returnTo : null;
    });
  }

  /**
   * The sweep: Roster sessions tied to a product sign-in that passed their idle or absolute end are
   * ended, and the products told; then expired provider records are deleted.
   */
  async sweep(now: number): Promise<{ sessionsEnded: number; recordsDeleted: number }> {
    const expired = await this.uow.read((tx) => tx.ssoSessions.expiredHandOffs(now, 500));
    for (const session of expired) {
      const actor = handOffActor(session.accountId, 'oidc-sweep');
      await this.uow.write(session.accountId, async (tx) => {
        if (!(await tx.ssoSessions.delete(session.id))) return;
        await recordAudit(tx, actor, this.clock, {
          action: 'sso.session_ended',
          subjectType: 'user',
          subjectId: session.userId,
          before: { session: session.id },
          after: { reason: 'expired' },
        });
        if (session.handOffUid) await endHandOff(tx, actor, this.clock, session.handOffUid, 'expired');
      });
    }
    const recordsDeleted = await this.uow.write(null, (tx) => tx.oidcPayloads.sweep(now, sweepBatch));
    return { sessionsEnded: expired.length, recordsDeleted };
  }

  private async stillMember(tx: Tx, session: SsoSession): Promise<boolean> {
    const account = await tx.accounts.get(session.accountId);
    if (account?.status !== 'active') return false;
    const user = { id: session.userId, accountId: session.accountId };
    return this.mayEnter(user, await tx.roles.accessOf(session.accountId, { id: session.userId }));
  }

  /** The rule book's sign_in: active (and, for a managed user, their home user too), with a role. */
  private mayEnter(user: { id: UserId; accountId: AccountId }, access: UserAccess | null): boolean {
    const member = {
      kind: 'member' as const,
      accountId: user.accountId,
      userId: user.id,
      channel: 'saml' as const,
    };
    return this.rules.memberDecision(member, access, 'sign_in').allowed;
  }
}
