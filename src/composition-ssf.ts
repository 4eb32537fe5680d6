import type { Logger } from 'pino';
import type { Config } from './config/schema';
import type { RuleBook } from './domain/access/rule-book';
import type { Sender } from './domain/delivery/delivery-engine';
import type { EventFeed } from './domain/events/event-ports';
import type { SigningKeyService } from './domain/oidc/signing-key-service';
import type { Clock, IdGenerator, UnitOfWork } from './domain/ports';
import { PollDelivery } from './domain/ssf/poll-delivery';
import { SetQueue } from './domain/ssf/set-queue';
import type { SetClaims, SsfStream } from './domain/ssf/ssf-ports';
import { StreamService } from './domain/ssf/stream-service';
import { ssfCrypto } from './adapters/crypto/ssf-crypto';
import { outboundUrlCheck } from './adapters/outbound/url-check';
import { SsfPushTransport } from './adapters/outbound/ssf-push-transport';

/** At most this many streams per account; the least time between two verification requests. */
const ssfLimits = { maxStreams: 20, minVerificationSeconds: 10 };
/** A verification event to a push stream: tried at once, then after these waits (ms). */
const verificationRetryMs = [1_000, 5_000] as const;

export interface SharedSignalsParts {
  uow: UnitOfWork;
  clock: Clock;
  ids: IdGenerator;
  rules: RuleBook;
  events: EventFeed;
  /** Null without OIDC_KEY_ENCRYPTION_KEY: Shared Signals is off (nothing signs SETs). */
  signingKeys: SigningKeyService | null;
  send: Sender;
  logger: Logger;
}

/**
 * Shared Signals: streams (management and poll) and the push transport the delivery loop sends
 * with. SETs are signed with the OpenID Provider's keys, so the transmitter is on exactly when the
 * hand-off is (OIDC_KEY_ENCRYPTION_KEY); its issuer is PUBLIC_URL.
 */
export function composeSharedSignals(config: Config, parts: SharedSignalsParts) {
  const { uow, clock, ids, rules, events, signingKeys, send, logger } = parts;
  const crypto =
    config.oidc && signingKeys
      ? ssfCrypto(
          config.oidc.keyEncryptionKey,
          async () => {
            await signingKeys.ensureKey();
            return signingKeys.published();
          },
          clock,
        )
      : null;
  const issuer = config.publicUrl;
  const queue = new SetQueue(uow, events, crypto, issuer);
  const transport = new SsfPushTransport(uow, queue, clock);
  // Not durable: a verification event only shows the receiver that the stream works (SSF §8.1.4).
  const pushNow = (stream: SsfStream, claims: SetClaims) => {
    void (async () => {
      const request = await transport.request(stream, claims);
      for (const wait of [0, ...verificationRetryMs]) {
        if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
        const result = await send(request);
        if (result.status !== null && result.status >= 200 && result.status < 300) return;
      }
      logger.warn({ streamId: stream.id }, 'SSF verification event not accepted by the receiver');
    })().catch((err: unknown) => logger.warn({ err, streamId: stream.id }, 'SSF verification event failed'));
  };
  const streams = new StreamService(
    uow,
    clock,
    ids,
    rules,
    events,
    queue,
    crypto,
    { issuer, ...ssfLimits },
    outboundUrlCheck(config.outbound.allowPrivate),
    pushNow,
  );
  return { streams, poll: new PollDelivery(uow, clock, streams, queue), transport };
}
