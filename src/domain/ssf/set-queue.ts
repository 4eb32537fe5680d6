import type { UserId } from '../ids';
import type { UnitOfWork } from '../ports';
import { primaryEmail } from '../users/user';
import type { EventFeed, RosterEvent } from './roster-events';
import { rosterTypesFor, signalFor, userIdOf, type Signal } from './signals';
import type { PendingSet, SetClaims, SsfCrypto, SsfStream } from './ssf-ports';
import { eventsDelivered } from './stream-config';

/** Feed events read per statement while a stream catches up. */
const feedBatch = 500;
/** Batches one `take` reads at most; the next poll or push pass goes on from there. */
const maxBatchesPerTake = 20;

/**
 * The SETs of each stream. `take` turns the account's new Roster events into the SETs a poll
 * stream asked for (in feed order, once each: the stream's position moves with a compare-and-set
 * and every SET's jti comes from its event and the stream), and they wait until the receiver
 * acknowledges them (RFC 8936). Push streams get the same SETs, built by `setsFor`, through the
 * delivery loop (RFC 8935). Claims are stored and signed when handed over, so a SET held for days
 * is signed with a key the JWKS still publishes.
 */
export class SetQueue {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly feed: EventFeed,
    private readonly crypto: SsfCrypto | null,
    private readonly issuer: string,
  ) {}

  /** Queues the SETs of a poll stream's new events; a disabled one takes nothing (SSF §8.1.2). */
  async take(stream: SsfStream): Promise<void> {
    // Push streams are fed by the delivery loop; only a poll stream keeps a queue here.
    if (stream.delivery.method !== 'poll' || stream.status === 'disabled' || !this.crypto) return;
    const types = rosterTypesFor(eventsDelivered(stream));
    if (types.length === 0) return;
    let position = stream.position;
    for (let batch = 0; batch < maxBatchesPerTake; batch += 1) {
      const events = await this.feed.after({
        accountId: stream.accountId,
        after: position,
        limit: feedBatch,
        types,
      });
      if (events.length === 0) return;
      const next = events[events.length - 1].position;
      const sets = await this.setsFor(stream, events);
      const from = position;
      const moved = await this.uow.write(stream.accountId, async (tx) => {
        if (!(await tx.ssfStreams.advance(stream.id, from, next))) return false;
        await tx.ssfStreams.enqueue(stream.id, sets);
        return true;
      });
      // Another instance took this batch first: it queued the same SETs, with the same ids.
      if (!moved || events.length < feedBatch) return;
      position = next;
    }
  }

  /** The SETs `events` become on `stream` (none for an event it did not ask for). */
  async setsFor(stream: SsfStream, events: readonly RosterEvent[]): Promise<SetClaims[]> {
    if (!this.crypto) return [];
    const crypto = this.crypto;
    const delivered = eventsDelivered(stream);
    const emails = stream.subjectFormat === 'email' ? await this.emailsOf(stream, events) : new Map();
    return events.flatMap((event) => {
      const userId = userIdOf(event);
      const signal = signalFor(event, delivered, stream.subjectFormat, userId && emails.get(userId));
      // iat: when the change happened, so a SET built twice (another instance, a retry) is the same.
      const iat = Math.floor(Date.parse(event.occurredAt) / 1000);
      return signal ? [this.claims(stream, signal, crypto.jtiFor(stream.id, event.id), iat)] : [];
    });
  }

  /**
   * The addresses of users whose events carry none (a session's end), so that a stream that names
   * users by email names them so in every SET (SSF §9.1: the same identifier for the same subject).
   */
  private async emailsOf(stream: SsfStream, events: readonly RosterEvent[]): Promise<Map<string, string>> {
    const missing = [...new Set(events.filter((e) => !e.subject.email).flatMap((e) => userIdOf(e) ?? []))];
    const emails = new Map<string, string>();
    if (missing.length === 0) return emails;
    await this.uow.read(async (tx) => {
      for (const userId of missing) {
        const user = await tx.users.get(stream.accountId, userId as UserId);
        const email = user && primaryEmail(user.emails);
        if (email) emails.set(userId, email);
      }
    });
    return emails;
  }

  /** The claims of one SET on `stream` (RFC 8417 §2.2, SSF §4.1: no `sub`, no `exp`). */
  claims(stream: SsfStream, signal: Signal, jti: string, iat: number): SetClaims {
    return {
      iss: this.issuer,
      aud: stream.audience.length === 1 ? stream.audience[0] : stream.audience,
      iat,
      jti,
      ...(signal.txn ? { txn: signal.txn } : {}),
      sub_id: signal.subId,
      events: { [signal.eventType]: signal.event },
    };
  }

  /** The oldest waiting SETs of the stream, up to `limit`, and whether more are waiting. */
  async waiting(stream: SsfStream, limit: number): Promise<{ sets: PendingSet[]; more: boolean }> {
    const sets = await this.uow.read((tx) => tx.ssfStreams.pending(stream.id, limit + 1));
    return { sets: sets.slice(0, limit), more: sets.length > limit };
  }

  /** Signs a SET with the current key (JWS compact serialization, typ secevent+jwt). */
  sign(claims: SetClaims): Promise<string> {
    if (!this.crypto) throw new Error('Shared Signals is off: nothing signs SETs');
    return this.crypto.sign(claims);
  }

  /** The push endpoint's authorization header, opened; null when the receiver gave none. */
  authorizationOf(stream: SsfStream): string | null {
    if (stream.delivery.method !== 'push' || !stream.delivery.sealedAuthorization || !this.crypto)
      return null;
    return this.crypto.open(stream.delivery.sealedAuthorization);
  }

  /** Removes SETs the receiver has (acknowledged, or refused for good). */
  async remove(stream: SsfStream, jtis: readonly string[]): Promise<number> {
    if (jtis.length === 0) return 0;
    return this.uow.write(stream.accountId, (tx) => tx.ssfStreams.remove(stream.id, jtis));
  }
}
