import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import type { WebhookSecretCrypto } from '../../domain/delivery/webhook-ports';

/** Binds a sealed value to what it is, so a sealed webhook secret cannot be swapped for another field. */
const purpose = Buffer.from('roster webhook secret v1');

/**
 * Standard Webhooks secrets: `whsec_` and 32 random bytes in base64 (the form the standardwebhooks
 * libraries read), sealed at rest with AES-256-GCM under EVENTS_ENCRYPTION_KEY as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), like the TOTP secrets and the OIDC signing keys: the
 * loop must sign with the secret itself, so a digest would not do.
 */
export function webhookSecretCrypto(base64Key: string | null): WebhookSecretCrypto {
  const key = base64Key ? Buffer.from(base64Key, 'base64') : null;
  const needKey = (): Buffer => {
    if (key) return key;
    throw DomainError.invalid(
      'webhook.unavailable',
      'Webhooks are not set up on this server: EVENTS_ENCRYPTION_KEY is missing',
    );
  };
  return {
    available: key !== null,
    newSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
    seal: (secret) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', needKey(), iv);
      cipher.setAAD(purpose);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), sealed]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open: (sealed) => {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !data) throw new Error('not a sealed webhook secret');
      const decipher = createDecipheriv('aes-256-gcm', needKey(), Buffer.from(iv, 'base64url'));
      decipher.setAAD(purpose);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
