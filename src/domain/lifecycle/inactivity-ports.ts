import type { AccountId, UserId } from '../ids';

export type InactivityAction = 'flag' | 'deactivate';

export interface InactivitySettings {
  /** No login for this many days makes a user inactive (shared/seeds/004: 90). */
  days: number;
  action: InactivityAction;
}

export interface InactiveUser {
  userId: UserId;
  userName: string;
  /** The last SSO login, or when the user was created if they never signed in. */
  lastActivity: number;
  lastLogin: number | null;
  flagged: number | null;
}

export interface InactivityRepository {
  settings(accountId: AccountId): Promise<InactivitySettings | null>;
  saveSettings(accountId: AccountId, settings: InactivitySettings, at: number): Promise<void>;
  /** Active, non-managed users whose last activity is before `cutoff`, by id after `afterId`. */
  inactiveSince(
    accountId: AccountId,
    cutoff: number,
    afterId: string,
    limit: number,
  ): Promise<InactiveUser[]>;
  flag(accountId: AccountId, userId: UserId, at: number, lastActivity: number): Promise<void>;
  /** Drops flags of users who signed in since or are no longer active; returns how many. */
  clearResolved(accountId: AccountId): Promise<number>;
  flagged(accountId: AccountId): Promise<InactiveUser[]>;
  /** Active accounts, for the sweep. */
  activeAccounts(): Promise<AccountId[]>;
}
