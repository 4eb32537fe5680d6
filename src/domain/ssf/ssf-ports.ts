import type { AccountId } from '../ids';
import type { Signal, SubjectId } from './signals';
import type { StreamStatus, SubjectFormat } from './ssf-vocabulary';

/** Where a stream's SETs go: pushed to the receiver (RFC 8935), or kept for it to poll (RFC 8936). */
export type StreamDelivery =
  | {
      method: 'push';
      endpointUrl: string;
      /** Sealed; null when the receiver gave none. */ sealedAuthorization: string | null;
    }
  | { method: 'poll' };

/** An SSF event stream (SSF §8.1.1): one account's, for the product holding its service key. */
export interface SsfStream {
  id: string;
  accountId: AccountId;
  /** The SETs' `aud`: fixed at creation (SSF §8.1.1). */
  audience: string[];
  eventsRequested: string[];
  delivery: StreamDelivery;
  subjectFormat: SubjectFormat;
  description: string | null;
  status: StreamStatus;
  statusReason: string | null;
  /** The events feed position up to which this stream has taken events. */
  position: number;
  created: number;
  updated: number;
  /** When the receiver last asked for a verification event. */
  lastVerification: number | null;
}

/** A Security Event Token's claims (RFC 8417 §2.2, SSF §4), signed only when it is handed over. */
export interface SetClaims {
  iss: string;
  aud: string | string[];
  iat: number;
  jti: string;
  txn?: string;
  sub_id: SubjectId;
  events: Record<string, Record<string, unknown>>;
}

/** A SET waiting for the receiver to take it (poll) or for the sender to deliver it (push). */
export interface PendingSet {
  /** Order of arrival on the stream. */
  ordinal: number;
  jti: string;
  claims: SetClaims;
}

export interface SsfStreamRepository {
  insert(stream: SsfStream): Promise<void>;
  get(accountId: AccountId, streamId: string): Promise<SsfStream | null>;
  /** The account's streams, oldest first. */
  list(accountId: AccountId): Promise<SsfStream[]>;
  /** Writes everything but the position (the feed reader moves that: `advance`). */
  update(stream: SsfStream): Promise<void>;
  /** Deletes the stream and its pending SETs; false when there was none. */
  delete(accountId: AccountId, streamId: string): Promise<boolean>;
  /** Compare-and-set of the position; false when another reader moved it first. */
  advance(streamId: string, from: number, to: number): Promise<boolean>;
  /** Adds SETs at the end of the stream's queue; a jti already queued is kept as it was. */
  enqueue(streamId: string, sets: readonly SetClaims[]): Promise<void>;
  /** The oldest `limit` SETs still waiting. */
  pending(streamId: string, limit: number): Promise<PendingSet[]>;
  /** Removes these SETs (acknowledged, or refused for good); returns how many there were. */
  remove(streamId: string, jtis: readonly string[]): Promise<number>;
  /** Drops every waiting SET (a disabled stream holds nothing: SSF §8.1.2). */
  clear(streamId: string): Promise<void>;
  /** Every stream (of any account) with this delivery method and status, for the push sender. */
  streamsWith(method: StreamDelivery['method'], status: StreamStatus): Promise<SsfStream[]>;
}

/** Signing and sealing for Shared Signals, with the OpenID Provider's keys (adapters/crypto). */
export interface SsfCrypto {
  /** A compact JWS, typ secevent+jwt, with the current signing key. */
  sign(claims: SetClaims): Promise<string>;
  /** The same id for the same Roster event on the same stream: a retried pass queues it once. */
  jtiFor(streamId: string, eventId: string): string;
  newJti(): string;
  seal(authorization: string): string;
  open(sealed: string): string;
}

export type { Signal };
