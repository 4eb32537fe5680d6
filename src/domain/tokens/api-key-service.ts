import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import type { AccountId, UserId } from '../ids';
import type { ApiKey, Clock, IdGenerator, UnitOfWork } from '../ports';
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
  ) {}

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
    if (actor.kind !== 'operator') {
      throw DomainError.forbidden(
        'api_key.operator_only',
        'API keys are issued by an operator (roster api-keys create)',
      );
    }
    assertText('api_key', 'label', label.trim(), textLimits.label);
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account || account.status !== 'active') {
        throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      }
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
