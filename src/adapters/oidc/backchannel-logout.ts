import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import type { Logger } from 'pino';
import type { OidcClient } from '../../domain/oidc/oidc-ports';
import type { PublishedKey } from '../../domain/oidc/signing-key-service';
import type { CommitEffect } from '../../domain/ports';

/** OpenID Connect Back-Channel Logout 1.0, §2.4: the event that makes a JWT a logout token. */
export const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenInput {
  issuer: string;
  clientId: string;
  sub: string;
  sid: string;
  /** Seconds since the epoch. */
  now: number;
}

/**
 * A logout token (§2.4): iss, aud, iat, exp, jti, events, sub and sid, never a nonce; signed with
 * the current ID token key and typed `logout+jwt` (§2.4, as RFC 8725 §3.11 advises).
 */
export async function logoutToken(key: PublishedKey, input: LogoutTokenInput): Promise<string> {
  const signingKey = await importJWK(key.privateJwk, 'RS256');
  return new SignJWT({ sid: input.sid, events: { [backchannelLogoutEvent]: {} } })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'logout+jwt' })
    .setIssuer(input.issuer)
    .setAudience(input.clientId)
    .setSubject(input.sub)
    .setIssuedAt(input.now)
    .setExpirationTime(input.now + 120)
    .setJti(randomUUID())
    .sign(signingKey);
}

export interface BackchannelDependencies {
  issuer: string;
  /** The keys to sign with (current first). */
  keys(): Promise<PublishedKey[]>;
  /** A live registered product, or null. */
  client(clientId: string): Promise<OidcClient | null>;
  logger: Logger;
  /** Attempts per logout token, and the waits between them (ms). */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

const defaultRetryDelaysMs = [250, 1_000, 4_000] as const;

/**
 * Tells products that Roster ended a person's session (deprovisioning, expiry, a logout in Roster or
 * at another product):
 * one POST of a signed logout token to each product's registered back-channel URI, right after the
 * transaction that ended it commits, retried a few times in this process.
 *
 * Not durable: a process that stops before a product answered drops that notice. The audit event
 * `oidc.sessions_ended` written in the same transaction names the products and sids, which is what
 * a durable delivery (the transactional outbox) needs; this module is the one place to move onto it.
 */
export class BackchannelLogout {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: BackchannelDependencies) {}

  /** The commit-effect handler: starts the deliveries and returns at once. */
  deliver(effects: readonly CommitEffect[]): void {
    for (const effect of effects) {
      for (const session of effect.sessions) {
        for (const { clientId, sid } of session.clients)
          this.sendLater(clientId, effect.userId, sid, effect.reason);
      }
    }
  }

  /**
   * One logout token to one product, in the background (retried as `send`): also what a product's
   * logout uses to tell the others (provider.ts), so every notice goes out the same way.
   */
  sendLater(clientId: string, sub: string, sid: string, reason: string): void {
    const delivery = this.send(clientId, sub, sid).then(
      (delivered) => {
        if (delivered === false) this.deps.logger.warn({ clientId, reason }, 'back-channel logout dropped');
      },
      (err: unknown) => this.deps.logger.error({ err, clientId }, 'back-channel logout failed'),
    );
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** True once the product answered 2xx, false when it never did, null when it has no back-channel URI. */
  async send(clientId: string, sub: string, sid: string): Promise<boolean | null> {
    const client = await this.deps.client(clientId);
    if (!client?.backchannelLogoutUri) return null;
    const delays = this.deps.retryDelaysMs ?? defaultRetryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
      const [key] = await this.deps.keys();
      const token = await logoutToken(key, {
        issuer: this.deps.issuer,
        clientId,
        sub,
        sid,
        now: Math.floor(Date.now() / 1000),
      });
      const status = await this.post(client.backchannelLogoutUri, token);
      if (status >= 200 && status < 300) return true;
      this.deps.logger.warn({ clientId, status, attempt: attempt + 1 }, 'back-channel logout not accepted');
    }
    return false;
  }

  /** Only to the URI the operator registered; no redirects followed; bounded in time. */
  private async post(uri: string, token: string): Promise<number> {
    try {
      const response = await fetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 5_000),
      });
      await response.body?.cancel();
      return response.status;
    } catch {
      return 0;
    }
  }
}
