import type { RuleBook } from '../access/rule-book';
import { actorId, type Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import type { AccountId } from '../ids';
import type { Clock, IdGenerator, SupportGrant, SupportSession, Tx, UnitOfWork } from '../ports';
import type { SecretCodec } from '../tokens/scim-token-service';

const dayMs = 24 * 60 * 60_000;
/** The choices of shared/seeds/002, and its longest: a custom date at most 90 days ahead. */
export const grantDays = [1, 7, 30, 90] as const;
const longestMs = 90 * dayMs;

export type GrantLength = { days: (typeof grantDays)[number] } | { until: number };

export interface OpenedSession {
  session: SupportSession;
  /** The bearer secret: shown once to the operator, stored only as a digest. */
  secret: string;
  expires: number;
}

/**
 * Time-limited access for the vendor's support staff (shared/seeds/002). An Owner or Admin grants
 * it for 1, 7, 30 or 90 days or until a date; it shows who granted it and when it ends; it can be
 * revoked at any time and ends by itself. An operator opens a session for a named agent only under
 * an active grant, and every request checks the grant again, so revoking stops support at once.
 */
export class SupportAccessService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
    private readonly rules: RuleBook,
  ) {}

  /** Grants access, replacing a grant still running (one grant at a time, with one end date). */
  async grant(actor: Actor, length: GrantLength): Promise<SupportGrant> {
    const now = this.clock.now();
    const expires = this.expiryOf(length, now);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'support_access.grant');
      const current = await tx.support.activeGrant(actor.accountId, now);
      if (current) await tx.support.endGrant(current.id, now, 'replaced', actorId(actor));
      const grant: SupportGrant = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        grantedBy: actorId(actor),
        grantedByName: await nameOf(tx, actor),
        created: now,
        expires,
        ended: null,
        endReason: null,
        endedBy: null,
      };
      await tx.support.insertGrant(grant);
      await recordAudit(tx, actor, this.clock, {
        action: 'support_access.granted',
        subjectType: 'support_grant',
        subjectId: grant.id,
        before: current ? { grant: current.id, expires: iso(current.expires) } : null,
        after: { expires: iso(expires) },
      });
      return grant;
    });
  }

  async revoke(actor: Actor, grantId: string): Promise<SupportGrant> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'support_access.revoke');
      const grant = await tx.support.getGrant(actor.accountId, grantId);
      const now = this.clock.now();
      if (!grant)
        throw DomainError.notFound('support_access.not_found', `Support grant ${grantId} not found`);
      if (grant.ended !== null || grant.expires <= now) {
        throw DomainError.conflict('support_access.not_active', 'This support grant has already ended');
      }
      await tx.support.endGrant(grant.id, now, 'revoked', actorId(actor));
      await recordAudit(tx, actor, this.clock, {
        action: 'support_access.revoked',
        subjectType: 'support_grant',
        subjectId: grant.id,
        before: { expires: iso(grant.expires) },
        after: { ended: iso(now) },
      });
      return { ...grant, ended: now, endReason: 'revoked', endedBy: actorId(actor) };
    });
  }

  /** Every grant of the account, newest first, with who granted it and when it ends or ended. */
  async list(actor: Actor): Promise<SupportGrant[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'support_access.view');
      return tx.support.grants(actor.accountId);
    });
  }

  /** An operator opens a session for one support agent; refused unless a grant is active. */
  async openSession(actor: Actor, agent: string): Promise<OpenedSession> {
    const name = agent.trim();
    if (!name) throw DomainError.invalid('support_access.agent_required', 'Name the support agent');
    assertText('support_access', 'agent', name, textLimits.agentName);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'support.session.open');
      const grant = await tx.support.activeGrant(actor.accountId, this.clock.now());
      if (!grant) {
        throw DomainError.precondition(
          'support_access.no_grant',
          "The account has not granted support access (its Owner or an Admin grants it in the account's settings)",
        );
      }
      const secret = `rsp_${this.codec.newSecret().replace(/^rst_/, '')}`;
      const session: SupportSession = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        grantId: grant.id,
        agent: name,
        created: this.clock.now(),
      };
      await tx.support.insertSession(session, this.codec.digest(secret));
      await recordAudit(tx, actor, this.clock, {
        action: 'support_access.session_opened',
        subjectType: 'support_grant',
        subjectId: grant.id,
        before: null,
        after: { session: session.id, agent: name, expires: iso(grant.expires) },
      });
      return { session, secret, expires: grant.expires };
    });
  }

  /** The support actor of a session secret; unauthenticated once its grant has ended or expired. */
  async authenticate(secret: string, requestId?: string): Promise<Actor> {
    const found = await this.uow.read((tx) => tx.support.findSession(this.codec.digest(secret)));
    const now = this.clock.now();
    if (
      !found ||
      found.accountStatus !== 'active' ||
      found.grant.ended !== null ||
      found.grant.expires <= now
    ) {
      throw DomainError.unauthenticated(
        'support_session.invalid',
        "The support session is unknown, or the account's support grant has ended",
      );
    }
    const { session } = found;
    return {
      kind: 'support',
      accountId: session.accountId,
      agent: session.agent,
      sessionId: session.id,
      grantId: session.grantId,
      channel: 'admin-api',
      requestId,
    };
  }

  /** Marks grants past their end as expired, each audited once; safe to run twice or to stop. */
  async expireDue(now: number): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.uow.read((tx) => tx.support.expiredUnended(now, 200));
      if (due.length === 0) return expired;
      for (const grant of due) {
        const actor: Actor = {
          kind: 'system',
          accountId: grant.accountId as AccountId,
          job: 'support-access-expiry',
          channel: 'job',
        };
        const ended = await this.uow.write(grant.accountId, async (tx) => {
          if (!(await tx.support.endGrant(grant.id, grant.expires, 'expired', actorId(actor)))) return false;
          await recordAudit(tx, actor, this.clock, {
            action: 'support_access.expired',
            subjectType: 'support_grant',
            subjectId: grant.id,
            before: { expires: iso(grant.expires) },
            after: { ended: iso(grant.expires) },
          });
          return true;
        });
        if (ended) expired += 1;
      }
    }
  }

  private expiryOf(length: GrantLength, now: number): number {
    if ('days' in length) {
      if (!grantDays.includes(length.days)) {
        throw DomainError.invalid(
          'support_access.length_invalid',
          `Grant for ${grantDays.join(', ')} days, or until a date`,
        );
      }
      return now + length.days * dayMs;
    }
    if (!Number.isFinite(length.until) || length.until <= now) {
      throw DomainError.invalid(
        'support_access.until_past',
        'The end of a support grant must be in the future',
      );
    }
    if (length.until > now + longestMs) {
      throw DomainError.invalid('support_access.until_too_far', 'A support grant lasts at most 90 days');
    }
    return length.until;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

async function nameOf(tx: Tx, actor: Actor): Promise<string> {
  if (actor.kind === 'member')
    return (await tx.users.get(actor.accountId, actor.userId))?.userName ?? actor.userId;
  if (actor.kind === 'operator') return `operator ${actor.operator}`;
  return actorId(actor);
}
