import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { EventFeed } from '../events/event-ports';
import type { Clock, IdGenerator, UnitOfWork } from '../ports';
import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryTargetRecord,
  DeliveryTransport,
  RenderedDelivery,
} from './delivery-ports';
import { accepted, newDelivery, nextAttempt, targetTakes, type RetryPolicy } from './delivery-policy';

/** What one POST came to: an answer (any status), or none and why. */
export type SendResult = { status: number; body: string } | { status: null; error: string };

/** Sends one rendered request within the operator's bounds (postBounded). */
export type Sender = (request: RenderedDelivery) => Promise<SendResult>;

export interface EngineOptions {
  retry: RetryPolicy;
  /** How long a claimed delivery stays this instance's (longer than an attempt may take). */
  leaseMs: number;
  /** How many events one fan-out step reads from the feed. */
  fanOutBatch: number;
}

/** A target the loop disabled, for the log. */
export interface DisabledTarget {
  id: string;
  accountId: string | null;
  reason: string;
}

/**
 * The delivery loop's steps, each safe to run on several instances at once: fan new events out to
 * targets (a compare-and-set on the cursor decides which instance queues a batch), claim due
 * deliveries under a lease (a killed instance's lease runs out and another takes them), send, and
 * write back what happened (retry with backoff, fail after the max age, disable a target that has
 * accepted nothing for too long, with an audit record and so a `webhook.disabled` event).
 */
export class DeliveryEngine {
  private readonly transports: Map<string, DeliveryTransport>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly feed: EventFeed,
    transports: readonly DeliveryTransport[],
    private readonly send: Sender,
    private readonly options: EngineOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.transports = new Map(transports.map((t) => [t.kind, t]));
  }

  /** Queues deliveries for the next batch of the feed; returns how many events it covered (0: none new). */
  async fanOut(): Promise<number> {
    const cursor = await this.uow.read((tx) => tx.deliveries.cursor());
    const skipped = await this.skipWithoutTargets(cursor);
    if (skipped !== null) return skipped;
    const events = await this.feed.after({ after: cursor, limit: this.options.fanOutBatch });
    if (events.length === 0) return 0;
    const to = events[events.length - 1].position;
    const moved = await this.uow.write(null, async (tx) => {
      // The cursor first: a second instance fanning out the same batch waits here, then loses.
      if (!(await tx.deliveries.advanceCursor(cursor, to))) return false;
      const targets = (await tx.deliveryTargets.enabled()).filter((t) => this.transports.has(t.kind));
      const now = this.clock.now();
      const queued = events.flatMap((event) =>
        targets
          // An endpoint gets the events from its creation on; older ones only by replay.
          .filter((t) => targetTakes(t, event) && Date.parse(event.occurredAt) >= t.created)
          .map((t) => newDelivery(this.ids.newId(), t, event, now)),
      );
      await tx.deliveries.enqueue(queued);
      return true;
    });
    return moved ? events.length : 0;
  }

  /**
   * With no endpoint to send to, moves the cursor to the newest event without reading the events:
   * an endpoint created later gets the events from its creation on, so none of these would be
   * queued (a server started after a bulk change would otherwise read and parse every event).
   * The newest position is read before the endpoints, so an endpoint that exists before an
   * event passed over here is seen, and the cursor stays for the normal fan-out.
   * Null when there are endpoints.
   */
  private async skipWithoutTargets(cursor: number): Promise<number | null> {
    const newest = await this.feed.latestPosition();
    if (newest <= cursor) return 0;
    return this.uow.write(null, async (tx) => {
      const targets = (await tx.deliveryTargets.enabled()).filter((t) => this.transports.has(t.kind));
      if (targets.length > 0) return null;
      return (await tx.deliveries.advanceCursor(cursor, newest)) ? newest - cursor : 0;
    });
  }

  /** Claims up to `limit` due deliveries for this instance; empty when there is nothing to send. */
  async claim(
    limit: number,
  ): Promise<{ deliveries: ClaimedDelivery[]; targets: Map<string, DeliveryTargetRecord> }> {
    const now = this.clock.now();
    const token = this.ids.newId();
    return this.uow.write(null, async (tx) => {
      const deliveries = await tx.deliveries.claim(now, now + this.options.leaseMs, token, limit);
      const targets = new Map<string, DeliveryTargetRecord>();
      if (deliveries.length > 0) for (const t of await tx.deliveryTargets.enabled()) targets.set(t.id, t);
      return { deliveries, targets };
    });
  }

  /** Renders and sends one claimed delivery; never throws (a failure is an outcome). */
  async attempt(
    delivery: ClaimedDelivery,
    target: DeliveryTargetRecord | undefined,
  ): Promise<AttemptOutcome> {
    const base = { id: delivery.id, leaseToken: delivery.leaseToken };
    const transport = target ? this.transports.get(target.kind) : undefined;
    let result: SendResult;
    try {
      const request = target && transport ? await transport.render(delivery.event, target) : null;
      if (!request) return { ...base, result: 'skipped', at: this.clock.now() };
      result = await this.send(request);
    } catch (err) {
      result = { status: null, error: err instanceof Error ? err.message : String(err) };
    }
    const at = this.clock.now();
    if (result.status !== null && accepted(result.status)) {
      return { ...base, result: 'delivered', at, status: result.status };
    }
    const error =
      result.status === null ? result.error : `HTTP ${result.status}${result.body ? `: ${result.body}` : ''}`;
    const next = nextAttempt(this.options.retry, delivery, delivery.attempts + 1, at, this.random);
    return {
      ...base,
      result: next === null ? 'failed' : 'retry',
      at,
      status: result.status,
      error: error.slice(0, 500),
      nextAttemptAt: next ?? at,
    };
  }

  /**
   * Writes the outcomes (those whose lease still holds), then the targets' health: an accepted
   * delivery ends a target's failure run; a run older than disableAfterMs disables the target.
   */
  async record(
    outcomes: readonly AttemptOutcome[],
    deliveries: ReadonlyMap<string, ClaimedDelivery>,
  ): Promise<DisabledTarget[]> {
    if (outcomes.length === 0) return [];
    const byTarget = new Map<string, { ok: number | null; failed: number | null }>();
    for (const o of outcomes) {
      const targetId = deliveries.get(o.id)?.targetId;
      if (!targetId || o.result === 'skipped') continue;
      const health = byTarget.get(targetId) ?? { ok: null, failed: null };
      if (o.result === 'delivered') health.ok = Math.max(health.ok ?? 0, o.at);
      else health.failed = Math.max(health.failed ?? 0, o.at);
      byTarget.set(targetId, health);
    }
    return this.uow.write(null, async (tx) => {
      await tx.deliveries.record(outcomes);
      const disabled: DisabledTarget[] = [];
      for (const [targetId, health] of byTarget) {
        if (health.ok !== null) await tx.deliveryTargets.succeeded(targetId, health.ok);
        if (health.ok !== null || health.failed === null) continue;
        const since = await tx.deliveryTargets.failed(targetId, health.failed);
        if (health.failed - since < this.options.retry.disableAfterMs) continue;
        const reason = `No delivery accepted since ${new Date(since).toISOString()}`;
        if (!(await tx.deliveryTargets.disable(targetId, reason, health.failed))) continue;
        const target = await tx.deliveryTargets.get(targetId);
        if (target?.accountId) {
          const actor: Actor = {
            kind: 'system',
            accountId: target.accountId,
            job: 'delivery',
            channel: 'job',
          };
          await recordAudit(tx, actor, this.clock, {
            action: 'webhook.disabled',
            subjectType: 'webhook',
            subjectId: targetId,
            before: { enabled: true },
            after: { enabled: false, kind: target.kind, url: target.url, reason, failingSince: since },
          });
        }
        disabled.push({ id: targetId, accountId: target?.accountId ?? null, reason });
      }
      return disabled;
    });
  }
}
