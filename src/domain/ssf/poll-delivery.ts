import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { Clock, UnitOfWork } from '../ports';
import type { SetQueue } from './set-queue';
import type { StreamService } from './stream-service';

/** RFC 8936 §2.4: what a receiver sends with each poll. */
export interface PollRequest {
  /** SETs it has taken: they are not sent again. */
  ack: readonly string[];
  /** SETs it could not take (RFC 8936 §2.4.3): not sent again either; the audit log keeps why. */
  setErrs: Readonly<Record<string, { err: string; description?: string }>>;
  /** At most this many SETs back; 0 only acknowledges. */
  maxEvents: number;
}

export interface PollAnswer {
  /** jti → the signed SET. */
  sets: Record<string, string>;
  moreAvailable: boolean;
}

/** Refused SETs the audit record names one by one; the rest are counted. */
const refusalsNamed = 20;

/**
 * Poll delivery (RFC 8936): the receiver acknowledges what it took and gets the oldest SETs still
 * waiting on its stream; a SET stays until it is acknowledged, so a receiver that crashed after a
 * poll gets the same SETs (same jti) again. A paused stream answers with none and keeps them.
 */
export class PollDelivery {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly streams: StreamService,
    private readonly queue: SetQueue,
  ) {}

  async poll(actor: Actor, streamId: string, request: PollRequest): Promise<PollAnswer> {
    const stream = await this.uow.write(actor.accountId, async (tx) => {
      const stream = await this.streams.load(tx, actor, 'ssf.poll', streamId);
      if (stream.delivery.method !== 'poll') {
        throw DomainError.invalid(
          'ssf.stream_pushes',
          'This stream pushes its SETs to the receiver (RFC 8935); it cannot be polled',
        );
      }
      const errs = Object.entries(request.setErrs);
      const done = [...new Set([...request.ack, ...errs.map(([jti]) => jti)])];
      if (done.length > 0) await tx.ssfStreams.remove(stream.id, done);
      if (errs.length > 0) {
        await recordAudit(tx, actor, this.clock, {
          action: 'ssf.sets_refused',
          subjectType: 'ssf_stream',
          subjectId: stream.id,
          before: null,
          after: {
            count: errs.length,
            sets: errs
              .slice(0, refusalsNamed)
              .map(([jti, e]) => ({ jti, err: e.err, description: e.description ?? null })),
          },
        });
      }
      return stream;
    });
    await this.queue.take(stream);
    if (stream.status !== 'enabled' || request.maxEvents === 0) return { sets: {}, moreAvailable: false };
    const { sets, more } = await this.queue.waiting(stream, request.maxEvents);
    const signed: Record<string, string> = {};
    for (const set of sets) signed[set.jti] = await this.queue.sign(set.claims);
    return { sets: signed, moreAvailable: more };
  }
}
