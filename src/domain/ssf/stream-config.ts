import type { UrlCheck } from '../delivery/webhook-ports';
import { DomainError } from '../errors';
import type { SsfStream } from './ssf-ports';
import { pollMethod, pushMethod, supportedEventTypes, type SubjectFormat } from './ssf-vocabulary';

/** What a receiver may set on a stream (SSF §8.1.1 "Receiver-Supplied"), already parsed. */
export interface ReceiverConfig {
  eventsRequested?: string[];
  delivery?: { method: string; endpointUrl?: string; authorization?: string };
  description?: string | null;
  /** Roster's addition: how each SET names the user (RFC 9493 `opaque` or `email`). */
  format?: SubjectFormat;
}

/** The fields a receiver may send that the transmitter supplies: present, they must match. */
export interface TransmitterClaims {
  iss?: string;
  aud?: string | string[];
  events_supported?: string[];
  events_delivered?: string[];
  min_verification_interval?: number;
}

/** SSF §8.1.1: the intersection of what the stream asked for and what Roster sends. */
export function eventsDelivered(stream: Pick<SsfStream, 'eventsRequested'>): string[] {
  return supportedEventTypes.filter((t) => stream.eventsRequested.includes(t));
}

/** The delivery a receiver asked for, checked: push needs a URL Roster may call; poll is Roster's. */
export function checkedDelivery(
  delivery: ReceiverConfig['delivery'],
  seal: (authorization: string) => string,
  urlCheck: UrlCheck,
): SsfStream['delivery'] {
  // SSF §8.1.1.1: no delivery means poll.
  if (!delivery || delivery.method === pollMethod) {
    if (delivery?.endpointUrl !== undefined || delivery?.authorization !== undefined) {
      throw DomainError.invalid(
        'ssf.poll_url_is_transmitters',
        'With poll delivery the transmitter supplies endpoint_url; send only the method',
      );
    }
    return { method: 'poll' };
  }
  if (delivery.method !== pushMethod) {
    throw DomainError.invalid(
      'ssf.delivery_method_unsupported',
      `delivery.method must be ${pushMethod} (push) or ${pollMethod} (poll)`,
    );
  }
  if (!delivery.endpointUrl) {
    throw DomainError.invalid('ssf.push_url_missing', 'Push delivery needs delivery.endpoint_url');
  }
  const problem = urlCheck(delivery.endpointUrl);
  if (problem) throw DomainError.invalid('ssf.push_url_invalid', `delivery.endpoint_url: ${problem}`);
  return {
    method: 'push',
    endpointUrl: new URL(delivery.endpointUrl).toString(),
    sealedAuthorization: delivery.authorization ? seal(delivery.authorization) : null,
  };
}

/**
 * SSF §8.1.1.3/4: transmitter-supplied properties a receiver echoes back must match what Roster
 * says; a request that disagrees changes nothing.
 */
export function assertTransmitterClaims(
  claims: TransmitterClaims,
  expected: { iss: string; aud: string[]; delivered: string[]; minVerificationInterval: number },
): void {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
  const mismatch = (name: string) =>
    DomainError.invalid('ssf.transmitter_property', `${name} is the transmitter's and does not match`);
  if (claims.iss !== undefined && claims.iss !== expected.iss) throw mismatch('iss');
  if (claims.aud !== undefined && !same([claims.aud].flat(), expected.aud)) throw mismatch('aud');
  if (claims.events_supported !== undefined && !same(claims.events_supported, supportedEventTypes)) {
    throw mismatch('events_supported');
  }
  if (claims.events_delivered !== undefined && !same(claims.events_delivered, expected.delivered)) {
    throw mismatch('events_delivered');
  }
  if (
    claims.min_verification_interval !== undefined &&
    claims.min_verification_interval !== expected.minVerificationInterval
  ) {
    throw mismatch('min_verification_interval');
  }
}
