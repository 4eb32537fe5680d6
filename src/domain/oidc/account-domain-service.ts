import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { Clock, UnitOfWork } from '../ports';
import { emailDomainOf, normalizeEmailDomain } from './email-domain';
import type { AccountDomain } from './oidc-ports';

/**
 * The email domains an account claims (issue: "an Owner or operator claims a domain; two accounts
 * never hold one"). A product that sends only `login_hint=alice@acme.com` reaches the account
 * holding acme.com. The database's unique key decides who holds a domain, on both databases.
 */
export class AccountDomainService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly rules: RuleBook,
  ) {}

  async claim(actor: Actor, input: string): Promise<AccountDomain> {
    const domain = checked(input);
    return this.uow.write(actor.accountId, async (tx) => {
      // Claiming decides where sign-ins for the domain go: as weighty as configuring the IdP.
      await this.rules.assert(tx, actor, 'domains.claim');
      const held = await tx.domains.find(domain);
      if (held?.accountId === actor.accountId) return held;
      if (held) {
        throw DomainError.conflict('domain.taken', `${domain} is already claimed by another account`);
      }
      const claim: AccountDomain = {
        domain,
        accountId: actor.accountId,
        created: this.clock.now(),
        createdBy: actor.kind === 'operator' ? actor.operator : actor.accountId,
      };
      if (!(await tx.domains.insert(claim))) {
        throw DomainError.conflict('domain.taken', `${domain} is already claimed by another account`);
      }
      await recordAudit(tx, actor, this.clock, {
        action: 'account.domain_claimed',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: null,
        after: { domain },
      });
      return claim;
    });
  }

  async release(actor: Actor, input: string): Promise<void> {
    const domain = checked(input);
    await this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'domains.claim');
      if (!(await tx.domains.delete(actor.accountId, domain))) {
        throw DomainError.notFound('domain.not_claimed', `This account has not claimed ${domain}`);
      }
      await recordAudit(tx, actor, this.clock, {
        action: 'account.domain_released',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: { domain },
        after: null,
      });
    });
  }

  async list(actor: Actor): Promise<AccountDomain[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'sso.view');
      return tx.domains.list(actor.accountId);
    });
  }

  /** The account holding the domain of `email`, or null (no actor: the sign-in is anonymous yet). */
  async accountForEmail(email: string): Promise<AccountId | null> {
    const domain = emailDomainOf(email);
    if (!domain) return null;
    return this.uow.read(async (tx) => (await tx.domains.find(domain))?.accountId ?? null);
  }
}

function checked(input: string): string {
  const result = normalizeEmailDomain(input);
  if ('problem' in result)
    throw DomainError.invalid('domain.invalid', `The domain was refused: ${result.problem}`);
  return result.domain;
}
