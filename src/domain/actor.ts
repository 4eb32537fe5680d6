import type { AccountId, ScimTokenId, UserId } from './ids';

/** Through which door a change came in; recorded on every audit event. */
export type Channel = 'scim' | 'admin-api' | 'cli' | 'hr-sync' | 'job' | 'saml';

/**
 * Who is asking. Every service call carries one; the account is always explicit (R2),
 * never ambient state.
 */
export type Actor =
  | { kind: 'scim-token'; accountId: AccountId; tokenId: ScimTokenId; channel: 'scim'; requestId?: string }
  | { kind: 'member'; accountId: AccountId; userId: UserId; channel: Channel; requestId?: string }
  /** An operator at the CLI; `roster hr-sync` acts as one through the 'hr-sync' channel. */
  | {
      kind: 'operator';
      accountId: AccountId;
      operator: string;
      channel: 'cli' | 'hr-sync';
      requestId?: string;
    }
  /** Roster itself: a sweep (channel job) or the SAML sign-in endpoint (channel saml). */
  | { kind: 'system'; accountId: AccountId; job: string; channel: 'job' | 'saml'; requestId?: string }
  /** The vendor's support agent, through an operator-issued session under the account's active grant. */
  | {
      kind: 'support';
      accountId: AccountId;
      agent: string;
      sessionId: string;
      grantId: string;
      channel: 'admin-api';
      requestId?: string;
    }
  /** The product's backend, with the account's service key: reads and authorization answers only. */
  | { kind: 'service'; accountId: AccountId; keyId: string; channel: 'admin-api'; requestId?: string };

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'scim-token':
      return actor.tokenId;
    case 'member':
      return actor.userId;
    case 'operator':
      return actor.operator;
    case 'system':
      return actor.job;
    case 'service':
      return actor.keyId;
    case 'support':
      return `support:${actor.agent}`;
  }
}
