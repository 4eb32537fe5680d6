import type { RuleBook } from '../access/rule-book';
import type { Action } from '../access/actions';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { EventFeed } from './roster-events';
import type { UrlCheck } from '../delivery/webhook-ports';
import type { SetQueue } from './set-queue';
import type { SetClaims, SsfCrypto, SsfStream } from './ssf-ports';
import { replayHeld, syncPushTarget } from './push-targets';
import { asDelivered, summary } from './stream-views';
import { verificationSignal } from './signals';
import {
  assertTransmitterClaims,
  checkedDelivery,
  eventsDelivered,
  type ReceiverConfig,
  type TransmitterClaims,
} from './stream-config';
import { supportedEventTypes, type StreamStatus } from './ssf-vocabulary';

export interface SsfSettings {
  /** The transmitter's issuer (SSF §7.1): every SET's `iss`. */
  issuer: string;
  /** SSF §8.1.1: the least time between two verification requests of one stream. */
  minVerificationSeconds: number;
  /** Streams one account may have at once. */
  maxStreams: number;
}

/** Sends one SET to a push stream now, after the transaction (a verification event: SSF §8.1.4). */
export type PushNow = (stream: SsfStream, claims: SetClaims) => void;

/** What `create` takes: the receiver's settings, and the audience it wants its SETs addressed to. */
export type NewStream = ReceiverConfig & { aud?: string[] };

/**
 * The Shared Signals stream management API (SSF §8.1): each stream is one account's, seen and
 * changed only with that account's credentials (another account's stream is "not found"). The
 * product manages its own streams with the service key (`ssf.manage`); every change is audited.
 */
export class StreamService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly rules: RuleBook,
    private readonly feed: EventFeed,
    private readonly queue: SetQueue,
    private readonly crypto: SsfCrypto | null,
    readonly settings: SsfSettings,
    /** What a push endpoint URL must be (the outbound guard's rules, as for webhooks). */
    private readonly urlCheck: UrlCheck,
    private readonly pushNow: PushNow = () => undefined,
  ) {}

  /** Whether this server transmits at all (it signs with the OpenID Provider's keys). */
  get enabled(): boolean {
    return this.crypto !== null;
  }

  async create(actor: Actor, input: NewStream): Promise<SsfStream> {
    // SSF §8.1.1: a new stream carries what happens from now on, not the account's history.
    const position = await this.feed.latestPosition();
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'ssf.manage');
      const crypto = this.available();
      if ((await tx.ssfStreams.list(actor.accountId)).length >= this.settings.maxStreams) {
        throw DomainError.conflict(
          'ssf.too_many_streams',
          `An account has at most ${this.settings.maxStreams} streams; delete one first`,
        );
      }
      const now = this.clock.now();
      const stream: SsfStream = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        audience: input.aud?.length ? input.aud : [actor.accountId],
        // Roster's default when the receiver names none: everything it sends.
        eventsRequested: input.eventsRequested ?? [...supportedEventTypes],
        delivery: checkedDelivery(input.delivery, (a) => crypto.seal(a), this.urlCheck),
        subjectFormat: input.format ?? 'opaque',
        description: input.description ?? null,
        status: 'enabled',
        statusReason: null,
        position,
        created: now,
        updated: now,
        lastVerification: null,
      };
      await tx.ssfStreams.insert(stream);
      await syncPushTarget(tx, null, stream, now);
      await this.audit(tx, actor, 'ssf.stream_created', stream.id, null, summary(stream));
      return stream;
    });
  }

  async get(actor: Actor, streamId: string): Promise<SsfStream> {
    return this.uow.read(async (tx) => asDelivered(tx, await this.load(tx, actor, 'ssf.view', streamId)));
  }

  async list(actor: Actor): Promise<SsfStream[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'ssf.view');
      this.available();
      const streams = await tx.ssfStreams.list(actor.accountId);
      return Promise.all(streams.map((s) => asDelivered(tx, s)));
    });
  }

  /** PATCH (SSF §8.1.1.3) merges what is given; PUT (§8.1.1.4) replaces every receiver setting. */
  async update(
    actor: Actor,
    streamId: string,
    change: ReceiverConfig,
    claims: TransmitterClaims,
    mode: 'merge' | 'replace',
  ): Promise<SsfStream> {
    const full: ReceiverConfig =
      mode === 'merge'
        ? change
        : {
            eventsRequested: change.eventsRequested ?? [],
            delivery: change.delivery,
            description: change.description ?? null,
            format: change.format ?? 'opaque',
          };
    const current = await this.get(actor, streamId);
    const reselects =
      full.eventsRequested !== undefined &&
      eventsDelivered({ eventsRequested: full.eventsRequested }).join() !== eventsDelivered(current).join();
    // Events already due under the old selection stay due; the new one applies from now on.
    if (reselects) await this.queue.take(current);
    const position = reselects ? await this.feed.latestPosition() : null;
    return this.uow.write(actor.accountId, async (tx) => {
      const stream = await this.load(tx, actor, 'ssf.manage', streamId);
      const crypto = this.available();
      assertTransmitterClaims(claims, this.expected(stream));
      const delivery =
        full.delivery || mode === 'replace'
          ? checkedDelivery(full.delivery, (a) => crypto.seal(a), this.urlCheck)
          : stream.delivery;
      if (delivery.method !== stream.delivery.method) {
        throw DomainError.invalid(
          'ssf.delivery_method_fixed',
          'A stream keeps its delivery method; create another stream to switch between push and poll',
        );
      }
      const updated: SsfStream = {
        ...stream,
        eventsRequested: full.eventsRequested ?? stream.eventsRequested,
        delivery,
        description: full.description === undefined ? stream.description : full.description,
        subjectFormat: full.format ?? stream.subjectFormat,
        updated: this.clock.now(),
      };
      await tx.ssfStreams.update(updated);
      if (position !== null) await tx.ssfStreams.advance(stream.id, stream.position, position);
      await syncPushTarget(tx, stream, updated, updated.updated);
      await this.audit(tx, actor, 'ssf.stream_updated', stream.id, summary(stream), summary(updated));
      return updated;
    });
  }

  async delete(actor: Actor, streamId: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const stream = await this.load(tx, actor, 'ssf.manage', streamId);
      await syncPushTarget(tx, stream, null, this.clock.now());
      await tx.ssfStreams.delete(actor.accountId, stream.id);
      await this.audit(tx, actor, 'ssf.stream_deleted', stream.id, summary(stream), null);
    });
  }

  async status(actor: Actor, streamId: string): Promise<Pick<SsfStream, 'id' | 'status' | 'statusReason'>> {
    const { id, status, statusReason } = await this.get(actor, streamId);
    return { id, status, statusReason };
  }

  /**
   * SSF §8.1.2: paused holds what happens until enabled again; disabled drops what is waiting and
   * takes nothing until enabled, when it starts from that moment.
   */
  async setStatus(
    actor: Actor,
    streamId: string,
    status: StreamStatus,
    reason: string | null,
  ): Promise<SsfStream> {
    const position = await this.feed.latestPosition();
    const { previous, updated } = await this.uow.write(actor.accountId, async (tx) => {
      const stream = await this.load(tx, actor, 'ssf.manage', streamId);
      const updated: SsfStream = { ...stream, status, statusReason: reason, updated: this.clock.now() };
      await tx.ssfStreams.update(updated);
      if (status === 'disabled') await tx.ssfStreams.clear(stream.id);
      const push = stream.delivery.method === 'push';
      if (push && stream.status === 'enabled' && status === 'paused') {
        // What the loop fans out from here on passes this stream by: replayHeld brings it back.
        await tx.ssfStreams.advance(stream.id, stream.position, await tx.deliveries.cursor());
      } else if (stream.status === 'disabled' && status !== 'disabled') {
        await tx.ssfStreams.advance(stream.id, stream.position, Math.max(stream.position, position));
      }
      await syncPushTarget(tx, stream, updated, updated.updated);
      if (stream.status !== status || stream.statusReason !== reason) {
        await this.audit(
          tx,
          actor,
          'ssf.stream_status_changed',
          stream.id,
          { status: stream.status, reason: stream.statusReason },
          { status, reason },
        );
      }
      return { previous: stream, updated };
    });
    if (updated.delivery.method === 'push' && previous.status === 'paused' && status === 'enabled') {
      await replayHeld(this.uow, this.feed, this.ids, updated, previous.position, this.clock.now());
    }
    return updated;
  }

  /**
   * SSF §8.1.4.2: queues a verification event for the stream. Returns how many seconds the receiver
   * must still wait when it asks again within `min_verification_interval` (and queues nothing).
   */
  async verify(
    actor: Actor,
    streamId: string,
    state: string | undefined,
  ): Promise<{ retryAfter: number } | null> {
    const result = await this.uow.write(actor.accountId, async (tx) => {
      const stream = await this.load(tx, actor, 'ssf.manage', streamId);
      const crypto = this.available();
      const now = this.clock.now();
      const interval = this.settings.minVerificationSeconds * 1000;
      if (stream.lastVerification !== null && now - stream.lastVerification < interval) {
        return { retryAfter: Math.ceil((stream.lastVerification + interval - now) / 1000) };
      }
      const claims = this.queue.claims(
        stream,
        verificationSignal(stream.id, state),
        crypto.newJti(),
        Math.floor(now / 1000),
      );
      // A poll stream queues it; a push stream gets it sent once this commits.
      if (stream.delivery.method === 'poll') await tx.ssfStreams.enqueue(stream.id, [claims]);
      await tx.ssfStreams.update({ ...stream, lastVerification: now });
      return { stream, claims };
    });
    if (!result.stream) return { retryAfter: result.retryAfter };
    // A paused push stream transmits nothing (SSF §8.1.2); its receiver may ask again once enabled.
    const { stream, claims } = result;
    if (stream.delivery.method === 'push' && stream.status === 'enabled') this.pushNow(stream, claims);
    return null;
  }

  /** The transmitter-supplied values of a stream, as a receiver may echo them back. */
  expected(stream: SsfStream) {
    return {
      iss: this.settings.issuer,
      aud: stream.audience,
      delivered: eventsDelivered(stream),
      minVerificationInterval: this.settings.minVerificationSeconds,
    };
  }

  /** The account's stream, after the rule book allowed `action`; another account's is not found. */
  async load(tx: Tx, actor: Actor, action: Action, streamId: string): Promise<SsfStream> {
    await this.rules.assert(tx, actor, action);
    this.available();
    const stream = await tx.ssfStreams.get(actor.accountId, streamId);
    if (!stream) throw DomainError.notFound('ssf.stream_not_found', 'No such stream for this receiver');
    return stream;
  }

  private available(): SsfCrypto {
    if (this.crypto) return this.crypto;
    throw DomainError.precondition(
      'ssf.off',
      'Shared Signals is off on this server: it signs with the OpenID Provider keys (OIDC_KEY_ENCRYPTION_KEY)',
    );
  }

  private audit(
    tx: Tx,
    actor: Actor,
    action: 'ssf.stream_created' | 'ssf.stream_updated' | 'ssf.stream_status_changed' | 'ssf.stream_deleted',
    streamId: string,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ): Promise<void> {
    return recordAudit(tx, actor, this.clock, {
      action,
      subjectType: 'ssf_stream',
      subjectId: streamId,
      before,
      after,
    });
  }
}
