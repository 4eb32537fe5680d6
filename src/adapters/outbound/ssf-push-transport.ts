import type {
  DeliveryTargetRecord,
  DeliveryTransport,
  RenderedDelivery,
} from '../../domain/delivery/delivery-ports';
import type { RosterEvent } from '../../domain/events/event-types';
import type { AccountId } from '../../domain/ids';
import type { Clock, UnitOfWork } from '../../domain/ports';
import type { SetQueue } from '../../domain/ssf/set-queue';
import type { SetClaims, SsfStream } from '../../domain/ssf/ssf-ports';
import { ssfPushKind } from '../../domain/ssf/push-targets';

/** How long a stream's settings are reused before they are read again (a change shows within it). */
const streamTtlMs = 1_000;

/**
 * Push delivery (RFC 8935) as a transport of the delivery loop: each push stream is a delivery
 * target, and each Roster event it asked for goes out as one signed SET, POSTed as
 * `application/secevent+jwt` with the receiver's authorization header. The loop brings the rest:
 * leases across instances, order per subject, retries with backoff and jitter up to
 * WEBHOOK_MAX_AGE_SECONDS, the outbound guard. The SET's jti comes from the event and the stream,
 * so a retried or replayed delivery carries the same jti.
 */
export class SsfPushTransport implements DeliveryTransport {
  readonly kind = ssfPushKind;
  private readonly streams = new Map<string, { at: number; stream: SsfStream | null }>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: SetQueue,
    private readonly clock: Clock,
  ) {}

  async render(event: RosterEvent, target: DeliveryTargetRecord): Promise<RenderedDelivery | null> {
    const stream = target.accountId ? await this.streamOf(target.accountId, target.id) : null;
    if (!stream || stream.delivery.method !== 'push' || stream.status === 'disabled') return null;
    // A paused stream holds its SETs (SSF §8.1.2): the loop tries again later.
    if (stream.status === 'paused') throw new Error('the stream is paused');
    const [claims] = await this.queue.setsFor(stream, [event]);
    return claims ? this.request(stream, claims) : null;
  }

  /** The POST of one SET to the stream's endpoint (RFC 8935 §2). */
  async request(stream: SsfStream, claims: SetClaims): Promise<RenderedDelivery> {
    if (stream.delivery.method !== 'push') throw new Error('not a push stream');
    const authorization = this.queue.authorizationOf(stream);
    return {
      url: stream.delivery.endpointUrl,
      headers: {
        'content-type': 'application/secevent+jwt',
        accept: 'application/json',
        'user-agent': 'Roster-SSF/1',
        ...(authorization ? { authorization } : {}),
      },
      body: await this.queue.sign(claims),
    };
  }

  private async streamOf(accountId: AccountId, streamId: string): Promise<SsfStream | null> {
    const now = this.clock.now();
    const cached = this.streams.get(streamId);
    if (cached && now - cached.at < streamTtlMs) return cached.stream;
    const stream = await this.uow.read((tx) => tx.ssfStreams.get(accountId, streamId));
    this.streams.set(streamId, { at: now, stream });
    return stream;
  }
}
