import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { PublishedKey } from '../../domain/oidc/signing-key-service';
import type { Clock } from '../../domain/ports';
import type { SetClaims, SsfCrypto } from '../../domain/ssf/ssf-ports';

/** Binds a sealed header to what it is, so it cannot be swapped for another sealed value. */
const purpose = Buffer.from('roster ssf authorization header v1');
/** How long the current signing key is kept in memory before the key set is read again. */
const keyCheckMs = 10_000;

/**
 * SETs signed with jose (RS256, typ secevent+jwt: SSF §4.1.1, RFC 8417 §2.3) by the OpenID
 * Provider's current key, so the JWKS at /oidc/jwks verifies both; and push endpoints'
 * authorization headers sealed with AES-256-GCM under a key derived from OIDC_KEY_ENCRYPTION_KEY.
 */
export function ssfCrypto(base64Kek: string, keys: () => Promise<PublishedKey[]>, clock: Clock): SsfCrypto {
  const sealKey = Buffer.from(
    hkdfSync('sha256', Buffer.from(base64Kek, 'base64'), Buffer.alloc(0), 'roster ssf authorization', 32),
  );
  let current: { kid: string; key: CryptoKey; at: number } | null = null;
  const signingKey = async () => {
    if (!current || clock.now() - current.at > keyCheckMs) {
      const [key] = await keys();
      const imported =
        current?.kid === key.kid ? current.key : ((await importJWK(key.privateJwk, 'RS256')) as CryptoKey);
      current = { kid: key.kid, key: imported, at: clock.now() };
    }
    return current;
  };
  return {
    sign: async (claims: SetClaims) => {
      const { kid, key } = await signingKey();
      return new SignJWT(claims as unknown as JWTPayload)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'secevent+jwt' })
        .sign(key);
    },
    jtiFor: (streamId, eventId) => hash('sha256', `ssf:${streamId}:${eventId}`, 'hex').slice(0, 32),
    newJti: () => randomUUID().replaceAll('-', ''),
    seal: (authorization) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(purpose);
      const sealed = Buffer.concat([cipher.update(authorization, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), sealed]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open: (sealed) => {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !data) throw new Error('not a sealed authorization header');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(purpose);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
