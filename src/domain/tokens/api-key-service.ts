import type { RuleBook } from '../access/rule-book';
import { accountTarget } from '../access/rules';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { ApiKey, ApiKeyListing, Clock, IdGenerator, UnitOfWork } from '../ports';
import type { SecretCodec } from './scim-token-service';

export interface IssuedApiKey {
  key: ApiKey;
  /** The secret itself: returned once, stored only as a digest. */
  secret: string;
}

const touchEveryMs = 60_000;

/**
 * API keys for the admin and authorization API. A member key acts as its user with that user's
 * permissions, and is dead as soon as the user is deactivated, deleted or has no role. The
 * account's service key (the product's backend) may only read and ask for authorization answers.
 */
export class ApiKeyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
    private readonly rules: RuleBook,
  ) {}

  /** The account's keys with created and last-used times, revoked ones included; never a secret. */
  async list(actor: Actor): Promise<ApiKeyListing[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'api_keys.view');
      if (!(await tx.accounts.get(actor.accountId))) {
        throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      }
      return tx.apiKeys.list(actor.accountId);
    });
  }

  /** Revokes a key: it is refused from its next request on. Audited; another account's key is not found. */
  async revoke(actor: Actor, keyId: string): Promise<ApiKeyListing> {
    return this.uow.write(actor.accountId, async (tx) => {
      const key = isUuid(keyId) ? await tx.apiKeys.get(actor.accountId, keyId) : null;
      if (!key || key.revoked !== null) {
        throw DomainError.notFound('api_key.not_found', `No live API key ${keyId} on this account`);
      }
      const target = key.userId
        ? await this.rules.userTarget(tx, { id: key.userId, accountId: actor.accountId })
        : accountTarget;
      await this.rules.assert(tx, actor, 'api_keys.revoke', target);
      const now = this.clock.now();
      if (!(await tx.apiKeys.revoke(actor.accountId, key.id, now))) {
        throw DomainError.notFound('api_key.not_found', `No live API key ${keyId} on this account`);
      }
      await recordAudit(tx, actor, this.clock, {
        action: 'api_key.revoked',
        subjectType: 'api_key',
        subjectId: key.id,
        before: null,
        after: { kind: key.kind, userId: key.userId, label: key.label, reason: 'revoked' },
      });
      return { ...key, revoked: now };
    });
  }

  /**
   * Which key of which account a secret is (a leaked key found in a log), so the operator can
   * revoke it without knowing either; null when it is no key.
   */
  async identify(secret: string): Promise<{ accountId: AccountId; keyId: string } | null> {
    const key = await this.uow.read((tx) => tx.apiKeys.findByHash(this.codec.digest(secret)));
    return key ? { accountId: key.accountId as AccountId, keyId: key.id } : null;
  }

  async issueForMember(actor: Actor, userName: string, label = 'API key'): Promise<IssuedApiKey> {
    return this.issue(actor, 'member', label, async (tx) => {
      const user = await tx.users.findByUserName(actor.accountId, userName);
      if (!user) throw DomainError.notFound('user.not_found', `No user "${userName}" in this account`);
      return user.id;
    });
  }

  async issueService(actor: Actor, label = 'service key'): Promise<IssuedApiKey> {
    return this.issue(actor, 'service', label, async () => null);
  }

  /** The actor a key stands for; unauthenticated when unknown, revoked, or its user has lost access. */
  async authenticate(secret: string, requestId?: string): Promise<Actor> {
    const digest = this.codec.digest(secret);
    const key = await this.uow.read((tx) => tx.apiKeys.findByHash(digest));
    const alive =
      key !== null &&
      key.revoked === null &&
      key.accountStatus === 'active' &&
      (key.kind === 'service' || key.userHasAccess);
    if (!key || !alive) {
      throw DomainError.unauthenticated(
        'api_key.invalid',
        'The API key is unknown, revoked, or its user has no access',
      );
    }
    const now = this.clock.now();
    if (key.lastUsed === null || now - key.lastUsed > touchEveryMs) {
      await this.uow.write(null, (tx) => tx.apiKeys.touch(key.id, now));
    }
    const accountId = key.accountId as AccountId;
    return key.kind === 'service'
      ? { kind: 'service', accountId, keyId: key.id, channel: 'admin-api', requestId }
      : { kind: 'member', accountId, userId: key.userId as UserId, channel: 'admin-api', requestId };
  }

  private async issue(
    actor: Actor,
    kind: ApiKey['kind'],
    label: string,
    userOf: (tx: Parameters<Parameters<UnitOfWork['write']>[1]>[0]) => Promise<UserId | null>,
  ): Promise<IssuedApiKey> {
    assertText('api_key', 'label', label.trim(), textLimits.label);
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account || account.status !== 'active') {
        throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      }
      await this.rules.assert(tx, actor, 'api_keys.issue');
      const secret = `rak_${this.codec.newSecret().replace(/^rst_/, '')}`;
      const key: ApiKey = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        userId: await userOf(tx),
        kind,
        label: label.trim() || 'API key',
        created: this.clock.now(),
        lastUsed: null,
        revoked: null,
      };
      await tx.apiKeys.insert(key, this.codec.digest(secret));
      await recordAudit(tx, actor, this.clock, {
        action: 'api_key.issued',
        subjectType: 'api_key',
        subjectId: key.id,
        before: null,
        after: { kind, userId: key.userId, label: key.label },
      });
      return { key, secret };
    });
  }
}
