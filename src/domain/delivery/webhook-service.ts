import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { EventFeed } from '../events/event-ports';
import { isUuid, type AccountId } from '../ids';
import { pageLimit } from '../query';
import type { Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { Delivery, DeliveryLogQuery, DeliveryTargetRecord } from './delivery-ports';
import { newDelivery, targetTakes } from './delivery-policy';
import type { UrlCheck, WebhookSecretCrypto } from './webhook-ports';
import { describe, validatedInput, type WebhookInput } from './webhook-input';

export type { WebhookInput } from './webhook-input';

/** A webhook endpoint as its owner sees it: never a secret, only when each one was made and ends. */
export interface WebhookEndpoint extends DeliveryTargetRecord {
  secrets: { id: string; created: number; expires: number | null }[];
}

/** Whose endpoints: the actor's account's, or the operator-wide ones (every account's events). */
export type WebhookScope = 'account' | 'operator-wide';

export interface WebhookSettings {
  /** How long a rotated-out secret keeps signing, unless the rotation says otherwise. */
  secretOverlapMs: number;
}

/** How many events one replay may queue for an endpoint that never had them. */
export const replayLimit = 10_000;

const kind = 'webhook';

/**
 * Webhook endpoints: where, which event types, on or off, and the Standard Webhooks signing
 * secret (shown once, sealed at rest, rotated with an overlap during which both sign). Account
 * endpoints take their account's events; operator-wide ones every account's (the CLI only).
 */
export class WebhookService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly rules: RuleBook,
    private readonly crypto: WebhookSecretCrypto,
    private readonly checkUrl: UrlCheck,
    private readonly feed: EventFeed,
    private readonly settings: WebhookSettings,
  ) {}

  async create(
    actor: Actor,
    scope: WebhookScope,
    input: WebhookInput,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const fields = validatedInput(input, this.checkUrl);
    const url = fields.url;
    if (url === undefined) throw DomainError.invalid('webhook.url_missing', 'url is required');
    this.needCrypto();
    return this.uow.write(actor.accountId, async (tx) => {
      await this.assertManage(tx, actor, scope);
      const now = this.clock.now();
      const target: DeliveryTargetRecord = {
        id: this.ids.newId(),
        kind,
        accountId: scope === 'account' ? actor.accountId : null,
        url,
        eventTypes: fields.eventTypes ?? null,
        enabled: fields.enabled ?? true,
        description: fields.description ?? '',
        created: now,
        updated: now,
        disabledReason: null,
        failingSince: null,
        lastSuccessAt: null,
      };
      await tx.deliveryTargets.insert(target);
      const secret = this.crypto.newSecret();
      await tx.webhookSecrets.insert({
        id: this.ids.newId(),
        targetId: target.id,
        sealed: this.crypto.seal(secret),
        created: now,
        expires: null,
      });
      await this.audit(tx, actor, target, 'webhook.created', null, describe(target));
      return { endpoint: await this.endpoint(tx, target), secret };
    });
  }

  async list(actor: Actor, scope: WebhookScope): Promise<WebhookEndpoint[]> {
    return this.uow.read(async (tx) => {
      await this.assertView(tx, actor, scope);
      const targets = await tx.deliveryTargets.list(kind, scope === 'account' ? actor.accountId : null);
      return Promise.all(targets.map((t) => this.endpoint(tx, t)));
    });
  }

  async get(actor: Actor, scope: WebhookScope, id: string): Promise<WebhookEndpoint> {
    return this.uow.read(async (tx) => {
      await this.assertView(tx, actor, scope);
      return this.endpoint(tx, await this.find(tx, actor, scope, id));
    });
  }

  /** Changes what is given; enabling an endpoint the loop disabled clears why. */
  async update(
    actor: Actor,
    scope: WebhookScope,
    id: string,
    input: Partial<WebhookInput>,
  ): Promise<WebhookEndpoint> {
    const fields = validatedInput(input, this.checkUrl);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.assertManage(tx, actor, scope);
      const before = await this.find(tx, actor, scope, id);
      const enabling = input.enabled === true && !before.enabled;
      const after: DeliveryTargetRecord = {
        ...before,
        ...(fields.url !== undefined ? { url: fields.url } : {}),
        ...(input.eventTypes !== undefined ? { eventTypes: fields.eventTypes ?? null } : {}),
        ...(input.description !== undefined ? { description: fields.description ?? '' } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(enabling ? { disabledReason: null, failingSince: null } : {}),
        updated: this.clock.now(),
      };
      await tx.deliveryTargets.update(after);
      await this.audit(tx, actor, after, 'webhook.updated', describe(before), describe(after));
      return this.endpoint(tx, after);
    });
  }

  /** Deletes the endpoint with its secrets and delivery log; nothing more is sent to it. */
  async delete(actor: Actor, scope: WebhookScope, id: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await this.assertManage(tx, actor, scope);
      const target = await this.find(tx, actor, scope, id);
      await tx.deliveryTargets.remove(target.id);
      await this.audit(tx, actor, target, 'webhook.deleted', describe(target), null);
    });
  }

  /**
   * A new signing secret, shown once. The previous ones keep signing for `overlapSeconds`
   * (default WEBHOOK_SECRET_OVERLAP_SECONDS), so each delivery carries both signatures meanwhile.
   */
  async rotateSecret(
    actor: Actor,
    scope: WebhookScope,
    id: string,
    overlapSeconds?: number,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if (overlapSeconds !== undefined && (!Number.isInteger(overlapSeconds) || overlapSeconds < 0)) {
      throw DomainError.invalid(
        'webhook.invalid_overlap',
        'overlapSeconds must be a whole number, 0 or more',
      );
    }
    this.needCrypto();
    return this.uow.write(actor.accountId, async (tx) => {
      await this.assertManage(tx, actor, scope);
      const target = await this.find(tx, actor, scope, id);
      const now = this.clock.now();
      const overlapMs = overlapSeconds === undefined ? this.settings.secretOverlapMs : overlapSeconds * 1000;
      await tx.webhookSecrets.expireAt(target.id, now + overlapMs);
      const secret = this.crypto.newSecret();
      await tx.webhookSecrets.insert({
        id: this.ids.newId(),
        targetId: target.id,
        sealed: this.crypto.seal(secret),
        created: now,
        expires: null,
      });
      await this.audit(tx, actor, target, 'webhook.secret_rotated', null, {
        oldSecretsExpire: new Date(now + overlapMs).toISOString(),
      });
      return { endpoint: await this.endpoint(tx, target), secret };
    });
  }

  /** The endpoint's delivery log, newest event first. */
  async deliveries(
    actor: Actor,
    scope: WebhookScope,
    id: string,
    query: DeliveryLogQuery,
  ): Promise<Delivery[]> {
    return this.uow.read(async (tx) => {
      await this.assertView(tx, actor, scope);
      const target = await this.find(tx, actor, scope, id);
      // Clamped, as the log was always shown; a limit that is not a whole number is refused.
      const limit = pageLimit(Math.min(Math.max(query.limit, 1), 500), 500, 'deliveries.limit_invalid');
      return tx.deliveries.log(target.id, { ...query, limit });
    });
  }

  /**
   * Sends the events at feed positions `from` to `to` (inclusive) again: deliveries the endpoint
   * had go back to pending (same webhook-id), and matching events it never had are queued, at
   * most `replayLimit` of them. They go out in order per subject, as any delivery.
   */
  async replay(
    actor: Actor,
    scope: WebhookScope,
    id: string,
    range: { from: number; to: number },
  ): Promise<{ requeued: number; queued: number }> {
    if (
      !Number.isInteger(range.from) ||
      !Number.isInteger(range.to) ||
      range.from < 1 ||
      range.to < range.from
    ) {
      throw DomainError.invalid('webhook.invalid_range', 'from and to are feed positions, 1 <= from <= to');
    }
    const target = await this.uow.read(async (tx) => {
      await this.assertManage(tx, actor, scope);
      return this.find(tx, actor, scope, id);
    });
    const missing = await this.eventsInRange(target, range);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.assertManage(tx, actor, scope);
      const now = this.clock.now();
      const requeued = await tx.deliveries.requeue(target.id, range.from, range.to, now);
      const had = await tx.deliveries.existing(
        target.id,
        missing.map((e) => e.id),
      );
      const fresh = missing
        .filter((e) => !had.has(e.id))
        .map((e) => newDelivery(this.ids.newId(), target, e, now));
      await tx.deliveries.enqueue(fresh);
      await this.audit(tx, actor, target, 'webhook.replayed', null, {
        ...range,
        requeued,
        queued: fresh.length,
      });
      return { requeued, queued: fresh.length };
    });
  }

  private async eventsInRange(target: DeliveryTargetRecord, range: { from: number; to: number }) {
    const found = [];
    let after = range.from - 1;
    while (found.length < replayLimit) {
      const page = await this.feed.after({
        ...(target.accountId ? { accountId: target.accountId } : {}),
        after,
        limit: 1000,
        ...(target.eventTypes ? { types: target.eventTypes } : {}),
      });
      const inRange = page.filter((e) => e.position <= range.to);
      found.push(...inRange.filter((e) => targetTakes({ ...target, enabled: true }, e)));
      if (page.length < 1000 || inRange.length < page.length) break;
      after = page[page.length - 1].position;
    }
    return found.slice(0, replayLimit);
  }

  private needCrypto(): void {
    if (!this.crypto.available) {
      throw DomainError.invalid(
        'webhook.unavailable',
        'Webhooks are not set up on this server: EVENTS_ENCRYPTION_KEY is missing',
      );
    }
  }

  private async assertView(tx: Tx, actor: Actor, scope: WebhookScope): Promise<void> {
    await this.rules.assert(tx, actor, scope === 'account' ? 'webhooks.view' : 'webhooks.manage_all');
  }

  private async assertManage(tx: Tx, actor: Actor, scope: WebhookScope): Promise<void> {
    await this.rules.assert(tx, actor, scope === 'account' ? 'webhooks.manage' : 'webhooks.manage_all');
  }

  /** The endpoint in the caller's scope; another account's (or another kind's) is not found. */
  private async find(tx: Tx, actor: Actor, scope: WebhookScope, id: string): Promise<DeliveryTargetRecord> {
    const target = isUuid(id) ? await tx.deliveryTargets.get(id) : null;
    const owner: AccountId | null = scope === 'account' ? actor.accountId : null;
    if (!target || target.kind !== kind || target.accountId !== owner) {
      throw DomainError.notFound('webhook.not_found', `No webhook endpoint ${id} here`);
    }
    return target;
  }

  private async endpoint(tx: Tx, target: DeliveryTargetRecord): Promise<WebhookEndpoint> {
    const secrets = await tx.webhookSecrets.live(target.id, this.clock.now());
    return { ...target, secrets: secrets.map(({ id, created, expires }) => ({ id, created, expires })) };
  }

  /** Account endpoints are audited in their account; operator-wide ones belong to no account. */
  private async audit(
    tx: Tx,
    actor: Actor,
    target: DeliveryTargetRecord,
    action:
      | 'webhook.created'
      | 'webhook.updated'
      | 'webhook.deleted'
      | 'webhook.secret_rotated'
      | 'webhook.replayed',
    before: unknown,
    after: unknown,
  ): Promise<void> {
    if (target.accountId === null) return;
    await recordAudit(tx, actor, this.clock, {
      action,
      subjectType: 'webhook',
      subjectId: target.id,
      before,
      after,
    });
  }
}
