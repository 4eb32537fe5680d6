import { randomBytes } from 'node:crypto';

/** The settings delivery tests run with: loopback receivers allowed, fast polls and retries. */
export const deliveryEnv = {
  OUTBOUND_ALLOW_PRIVATE: 'true',
  EVENTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  DELIVERY_POLL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '300',
  WEBHOOK_TIMEOUT_MS: '2000',
};
