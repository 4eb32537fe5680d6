import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import { isUuid, type AccountId, type ScimTokenId } from '../ids';
import type { Clock, IdGenerator, ScimToken, UnitOfWork } from '../ports';

/** Hashing and randomness are injected so the domain stays free of node:crypto choices. */
export interface SecretCodec {
  /** A new random secret, shown to a person once. */
  newSecret(): string;
  /** A one-way, indexable digest of a secret. */
  digest(secret: string): string;
}

export interface IssuedToken {
  token: ScimToken;
  /** The bearer secret itself: returned once, never stored. */
  secret: string;
}

/** Touching last-used at most this often keeps a busy IdP from writing on every request. */
const touchEveryMs = 60_000;

/** Owns SCIM bearer tokens: several live per account (rotation), revocable, stored only as digests. */
export class ScimTokenService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
    private readonly rules: RuleBook,
  ) {}

  async issue(actor: Actor, label: string): Promise<IssuedToken> {
    assertText('scim_token', 'label', label.trim(), textLimits.label);
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account || account.status !== 'active') {
        throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      }
      await this.rules.assert(tx, actor, 'scim_tokens.manage');
      const secret = this.codec.newSecret();
      const token: ScimToken = {
        id: this.ids.newId() as ScimTokenId,
        accountId: actor.accountId,
        label: label.trim() || 'SCIM token',
        created: this.clock.now(),
        lastUsed: null,
        revoked: null,
      };
      await tx.scimTokens.insert(token, this.codec.digest(secret));
      await recordAudit(tx, actor, this.clock, {
        action: 'scim_token.issued',
        subjectType: 'scim_token',
        subjectId: token.id,
        before: null,
        after: { label: token.label },
      });
      return { token, secret };
    });
  }

  async list(actor: Actor): Promise<ScimToken[]> {
    return this.uow.read(async (tx) => {
      if (!(await tx.accounts.get(actor.accountId))) {
        throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      }
      await this.rules.assert(tx, actor, 'scim_tokens.view');
      return tx.scimTokens.list(actor.accountId);
    });
  }

  async revoke(actor: Actor, tokenId: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'scim_tokens.manage');
      const revoked =
        isUuid(tokenId) &&
        (await tx.scimTokens.revoke(actor.accountId, tokenId as ScimTokenId, this.clock.now()));
      if (!revoked)
        throw DomainError.notFound('scim_token.not_found', `No live SCIM token ${tokenId} on this account`);
      await recordAudit(tx, actor, this.clock, {
        action: 'scim_token.revoked',
        subjectType: 'scim_token',
        subjectId: tokenId,
        before: null,
        after: { revoked: true },
      });
    });
  }

  /** The actor a bearer secret stands for; unauthenticated when unknown, revoked or its account is closed. */
  async authenticate(secret: string, requestId?: string): Promise<Actor> {
    const digest = this.codec.digest(secret);
    const found = await this.uow.read((tx) => tx.scimTokens.findByHash(digest));
    if (!found || found.revoked !== null || found.accountStatus !== 'active') {
      throw DomainError.unauthenticated(
        'scim_token.invalid',
        'The bearer token is unknown or has been revoked',
      );
    }
    const now = this.clock.now();
    if (found.lastUsed === null || now - found.lastUsed > touchEveryMs) {
      await this.uow.write(null, (tx) => tx.scimTokens.touch(found.id, now));
    }
    return {
      kind: 'scim-token',
      accountId: found.accountId as AccountId,
      tokenId: found.id,
      channel: 'scim',
      requestId,
    };
  }
}
