import { Webhook } from 'standardwebhooks';
import type {
  DeliveryTargetRecord,
  DeliveryTransport,
  RenderedDelivery,
} from '../../domain/delivery/delivery-ports';
import type { WebhookSecretCrypto } from '../../domain/delivery/webhook-ports';
import type { RosterEvent } from '../../domain/events/event-types';
import type { Clock, UnitOfWork } from '../../domain/ports';

/** How long an endpoint's opened secrets are reused before they are read again (rotation shows within it). */
const secretsTtlMs = 1_000;

/**
 * Webhooks as Standard Webhooks specifies: the body `{type, timestamp, data}` with the event as
 * `data`, `webhook-id` the event's id (the same on every retry and replay, so receivers can
 * deduplicate), `webhook-timestamp` the time of the attempt, and `webhook-signature` one `v1,…`
 * signature per live secret (two during a rotation's overlap), made by the standardwebhooks library.
 */
export class WebhookTransport implements DeliveryTransport {
  readonly kind = 'webhook';
  private readonly signers = new Map<string, { at: number; webhooks: Webhook[] }>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly crypto: WebhookSecretCrypto,
    private readonly clock: Clock,
  ) {}

  async render(event: RosterEvent, target: DeliveryTargetRecord): Promise<RenderedDelivery | null> {
    const webhooks = await this.webhooksOf(target.id);
    if (webhooks.length === 0) return null;
    const body = webhookBody(event);
    const now = new Date(this.clock.now());
    return {
      url: target.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Roster-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhooks.map((w) => w.sign(event.id, now, body)).join(' '),
      },
      body,
    };
  }

  private async webhooksOf(targetId: string): Promise<Webhook[]> {
    const now = this.clock.now();
    const cached = this.signers.get(targetId);
    if (cached && now - cached.at < secretsTtlMs) return cached.webhooks;
    const secrets = await this.uow.read((tx) => tx.webhookSecrets.live(targetId, now));
    const webhooks = secrets.map((s) => new Webhook(this.crypto.open(s.sealed)));
    this.signers.set(targetId, { at: now, webhooks });
    return webhooks;
  }
}

/** The JSON a webhook carries (docs/webhooks.md). */
export function webhookBody(event: RosterEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event });
}
