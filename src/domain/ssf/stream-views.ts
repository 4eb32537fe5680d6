import type { Tx } from '../ports';
import type { SsfStream } from './ssf-ports';

/**
 * The stream as the receiver should see it: a push stream whose target the delivery loop disabled
 * (it accepted nothing for too long) is disabled, with the loop's reason.
 */
export async function asDelivered(tx: Tx, stream: SsfStream): Promise<SsfStream> {
  if (stream.delivery.method !== 'push' || stream.status !== 'enabled') return stream;
  const target = await tx.deliveryTargets.get(stream.id);
  if (!target || target.enabled) return stream;
  return {
    ...stream,
    status: 'disabled',
    statusReason: target.disabledReason ?? 'Disabled by the transmitter',
  };
}

/** What the audit log keeps of a stream: never the receiver's authorization header. */
export function summary(stream: SsfStream): Record<string, unknown> {
  return {
    aud: stream.audience,
    eventsRequested: stream.eventsRequested,
    delivery:
      stream.delivery.method === 'push'
        ? {
            method: 'push',
            endpointUrl: stream.delivery.endpointUrl,
            authorization: stream.delivery.sealedAuthorization !== null,
          }
        : { method: 'poll' },
    format: stream.subjectFormat,
    description: stream.description,
  };
}
