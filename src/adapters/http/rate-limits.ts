import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { SharedCounter } from '../storage/rate-limit-store';

/** A request refused by a rate limit: 429 with Retry-After, in each transport's error shape. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

export interface RateLimitSettings {
  /** Refused credentials per client address per window; 0: no limit. */
  authFailures: number;
  /** Requests per credential (SCIM token, API key, support session) per window; 0: no limit. */
  requestsPerCredential: number;
  windowSeconds: number;
}

/** What the transports ask. Both throw RateLimitedError past the limit, else resolve. */
export interface RateLimits {
  /** A credential was refused (unknown, revoked, wrong): counts against the client's address. */
  refused(req: Request): Promise<void>;
  /** A credential was accepted: counts the request against it (`scim:<id>`, `key:<id>`, …). */
  used(credential: string): Promise<void>;
}

/** No limits: for tools that compose the app without a database of their own to count in. */
export const unlimited: RateLimits = { refused: async () => undefined, used: async () => undefined };

export function rateLimits(
  settings: RateLimitSettings,
  counters: { failures: SharedCounter; requests: SharedCounter },
  logger: Logger,
): RateLimits {
  const requests = new BatchedCounter(
    counters.requests,
    settings.requestsPerCredential,
    settings.windowSeconds * 1000,
  );
  return {
    refused: async (req) => {
      if (settings.authFailures <= 0) return;
      try {
        await counters.failures.consume(clientKey(req));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retryAfter = seconds(err.msBeforeNext);
        // Once per window, by the attempt that crossed the limit: an attack must not flood the log.
        if (err.consumedPoints === settings.authFailures + 1) {
          logger.warn({ client: req.ip, retryAfter }, 'too many refused credentials from one address');
        }
        throw new RateLimitedError(
          retryAfter,
          `Too many refused credentials from your address; try again in ${retryAfter} s`,
        );
      }
    },
    used: async (credential) => {
      if (settings.requestsPerCredential <= 0) return;
      const waitMs = await requests.hit(credential);
      if (waitMs === null) return;
      const retryAfter = seconds(waitMs);
      throw new RateLimitedError(
        retryAfter,
        `Too many requests with this credential (at most ${settings.requestsPerCredential} per ` +
          `${settings.windowSeconds} s); try again in ${retryAfter} s`,
      );
    },
  };
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The address as TRUST_PROXY lets express see it; bounded, since a proxy header is client text. */
function clientKey(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return /^[0-9a-fA-F:.]{1,45}$/.test(address)
    ? address
    : createHash('sha256').update(address).digest('hex').slice(0, 40);
}

interface Entry {
  /** Requests not yet added to the shared counter. */
  pending: number;
  /** The shared count at the last flush (this window), all instances together. */
  shared: number;
  windowEnds: number;
  lastFlush: number;
  blockedUntil: number;
  flushing: boolean;
}

const flushEveryMs = 1000;
const maxEntries = 10_000;

/**
 * Counts requests per credential in the shared store without a database write per request: each
 * instance adds its requests in batches (every second, or every twentieth of the limit, or as soon
 * as its estimate passes the limit) and learns the total of all instances in return. A credential
 * past the limit is refused from memory until its window ends. rate-limiter-flexible has no such
 * batching, and a write per request would cost the hot path a transaction (docs/decisions.md).
 */
export class BatchedCounter {
  private readonly entries = new Map<string, Entry>();
  private readonly flushEvery: number;

  constructor(
    private readonly store: SharedCounter,
    private readonly points: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.flushEvery = Math.max(1, Math.floor(points / 20));
  }

  /** Null when the request may go on; else how long until the credential may be used again. */
  async hit(key: string): Promise<number | null> {
    const at = this.now();
    const entry = this.entryFor(key, at);
    if (entry.blockedUntil > at) return entry.blockedUntil - at;
    if (at >= entry.windowEnds) entry.shared = 0;
    entry.pending += 1;
    const due =
      entry.pending >= this.flushEvery ||
      at - entry.lastFlush >= flushEveryMs ||
      entry.shared + entry.pending > this.points;
    if (due && !entry.flushing) await this.flush(key, entry, at);
    return entry.blockedUntil > at ? entry.blockedUntil - at : null;
  }

  private async flush(key: string, entry: Entry, at: number): Promise<void> {
    const points = entry.pending;
    entry.pending = 0;
    entry.flushing = true;
    try {
      const res = await this.store.add(key, points);
      entry.shared = res.consumedPoints;
      entry.windowEnds = at + (res.msBeforeNext > 0 ? res.msBeforeNext : this.windowMs);
      if (res.consumedPoints > this.points) entry.blockedUntil = entry.windowEnds;
    } catch {
      entry.pending += points;
    } finally {
      entry.flushing = false;
      entry.lastFlush = at;
    }
  }

  private entryFor(key: string, at: number): Entry {
    let entry = this.entries.get(key);
    if (entry) return entry;
    if (this.entries.size >= maxEntries) this.forgetIdle(at);
    entry = { pending: 0, shared: 0, windowEnds: 0, lastFlush: 0, blockedUntil: 0, flushing: false };
    this.entries.set(key, entry);
    return entry;
  }

  private forgetIdle(at: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.pending === 0 && !entry.flushing && entry.windowEnds <= at) this.entries.delete(key);
    }
  }
}
