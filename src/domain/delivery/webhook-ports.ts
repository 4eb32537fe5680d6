/** A signing secret of a webhook endpoint, sealed at rest. */
export interface WebhookSecret {
  id: string;
  targetId: string;
  /** The `whsec_…` secret sealed with EVENTS_ENCRYPTION_KEY. */
  sealed: string;
  created: number;
  /** After a rotation, when the old secret stops signing; null while it is the current one. */
  expires: number | null;
}

export interface WebhookSecretRepository {
  insert(secret: WebhookSecret): Promise<void>;
  /** The endpoint's secrets that still sign at `now`, newest first. */
  live(targetId: string, now: number): Promise<WebhookSecret[]>;
  /** Every secret of the endpoint that would sign past `at` stops at `at`. */
  expireAt(targetId: string, at: number): Promise<void>;
}

/** Makes, seals and opens Standard Webhooks secrets (the crypto adapter). */
export interface WebhookSecretCrypto {
  /** Whether secrets can be sealed at all (EVENTS_ENCRYPTION_KEY is set). */
  readonly available: boolean;
  newSecret(): string;
  seal(secret: string): string;
  open(sealed: string): string;
}

/** Why a URL may not be a webhook target, or null (the outbound adapter's rules). */
export type UrlCheck = (url: string) => string | null;
