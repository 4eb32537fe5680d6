/**
 * The change feed Shared Signals reads (the events outbox's contract). Until the outbox lands on
 * this branch these are its published shapes; afterwards this file re-exports them.
 */
export type EventType =
  | 'user.created'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.deleted'
  | 'session.ended'
  | (string & { readonly __other?: never });

export interface RosterEvent {
  id: string;
  type: EventType;
  version: 1;
  accountId: string;
  seq: number;
  position: number;
  occurredAt: string;
  subject: {
    type: 'user' | 'group' | 'account' | 'session' | 'api_key' | 'scim_token';
    id: string;
    email?: string;
  };
  data: Record<string, unknown>;
}

export interface EventFeed {
  after(q: {
    accountId?: string;
    after: number;
    limit: number;
    types?: readonly EventType[];
  }): Promise<RosterEvent[]>;
  latestPosition(): Promise<number>;
}
