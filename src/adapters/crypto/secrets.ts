import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { SecretCodec } from '../../domain/tokens/scim-token-service';
import type { Clock, IdGenerator } from '../../domain/ports';

/**
 * Bearer secrets are 32 random bytes; only their SHA-256 is stored, looked up by a unique index.
 * A slow password hash (argon2) would not be indexable and adds ~0.4 s to every request.
 */
export const sha256SecretCodec: SecretCodec = {
  newSecret: () => `rst_${randomBytes(32).toString('base64url')}`,
  // crypto.hash: one call, no Hash object per request (every API and SCIM request digests its key).
  digest: (secret) => hash('sha256', secret, 'hex'),
};

export const systemClock: Clock = { now: () => Date.now() };

export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };
