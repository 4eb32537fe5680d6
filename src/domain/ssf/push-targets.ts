import type { DeliveryTargetRecord } from '../delivery/delivery-ports';
import { newDelivery, targetTakes } from '../delivery/delivery-policy';
import type { IdGenerator, Tx, UnitOfWork } from '../ports';
import type { EventFeed } from './roster-events';
import { rosterTypesFor } from './signals';
import type { SsfStream } from './ssf-ports';
import { eventsDelivered } from './stream-config';

/** The delivery loop's name for SSF push streams (a target's `kind`; its id is the stream's). */
export const ssfPushKind = 'ssf_push';
/** Held events a stream gets back when it is enabled again after a pause, at most. */
const heldLimit = 10_000;
const feedBatch = 1_000;

/**
 * A push stream is a target of the delivery loop (RFC 8935 through the loop's leases, retries and
 * outbound guard). Its target follows the stream: the URL, the Roster event types its SETs come
 * from, enabled only while the stream is. Disabling drops what waits (SSF §8.1.2: nothing is kept);
 * a pause keeps what waits, and `replayHeld` queues what happened meanwhile once it is enabled.
 */
export async function syncPushTarget(
  tx: Tx,
  before: SsfStream | null,
  after: SsfStream | null,
  now: number,
): Promise<void> {
  const existing = before?.delivery.method === 'push' ? await tx.deliveryTargets.get(before.id) : null;
  if (!after || after.delivery.method !== 'push') {
    if (existing) await tx.deliveryTargets.remove(existing.id);
    return;
  }
  const target: DeliveryTargetRecord = {
    id: after.id,
    kind: ssfPushKind,
    accountId: after.accountId,
    url: after.delivery.endpointUrl,
    eventTypes: rosterTypesFor(eventsDelivered(after)),
    enabled: after.status === 'enabled',
    description: after.description ?? 'Shared Signals push stream',
    created: existing?.created ?? after.created,
    updated: now,
    disabledReason: after.status === 'enabled' ? null : (existing?.disabledReason ?? null),
    failingSince: after.status === 'enabled' ? null : (existing?.failingSince ?? null),
    lastSuccessAt: existing?.lastSuccessAt ?? null,
  };
  const drops = existing && after.status === 'disabled' && before?.status !== 'disabled';
  if (existing && drops) await tx.deliveryTargets.remove(existing.id);
  if (existing && !drops) await tx.deliveryTargets.update(target);
  else await tx.deliveryTargets.insert(target);
}

/**
 * What the stream would have been sent while it was paused: the account's events after `from` (the
 * loop's fan-out position when it paused) that it asked for, queued now. Those queued already (the
 * loop fanned them out before the pause took hold) are left as they are.
 */
export async function replayHeld(
  uow: UnitOfWork,
  feed: EventFeed,
  ids: IdGenerator,
  stream: SsfStream,
  from: number,
  now: number,
): Promise<number> {
  const types = rosterTypesFor(eventsDelivered(stream));
  if (types.length === 0) return 0;
  let after = from;
  let queued = 0;
  while (queued < heldLimit) {
    const events = await feed.after({ accountId: stream.accountId, after, limit: feedBatch, types });
    if (events.length === 0) break;
    after = events[events.length - 1].position;
    queued += await uow.write(stream.accountId, async (tx) => {
      const target = await tx.deliveryTargets.get(stream.id);
      if (!target?.enabled) return heldLimit;
      const due = events.filter((e) => targetTakes(target, e));
      await tx.deliveries.enqueue(due.map((e) => newDelivery(ids.newId(), target, e, now)));
      return due.length;
    });
    if (events.length < feedBatch) break;
  }
  return queued;
}
