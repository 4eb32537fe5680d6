import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  hash,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { SigningKeyCrypto } from '../../domain/oidc/oidc-ports';

/** Binds a sealed value to what it is, so a sealed signing key cannot be swapped for another field. */
const purpose = Buffer.from('roster oidc signing key v1');

/**
 * ID token signing keys: RSA 2048 (RS256, what every OIDC client accepts), the kid the RFC 7638
 * thumbprint, the private JWK sealed with AES-256-GCM under OIDC_KEY_ENCRYPTION_KEY as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), like the TOTP secrets.
 */
export function signingKeyCrypto(base64Kek: string): SigningKeyCrypto {
  const kek = Buffer.from(base64Kek, 'base64');
  return {
    generate: () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
      const kid = hash('sha256', JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }), 'base64url');
      const privateJwk = { ...jwk, kid, alg: 'RS256', use: 'sig' };
      return {
        kid,
        publicJwk: { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' },
        sealedPrivateJwk: seal(kek, JSON.stringify(privateJwk)),
      };
    },
    open: (sealed) => JSON.parse(open(kek, sealed)) as Record<string, unknown>,
  };
}

function seal(key: Buffer, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(purpose);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), sealed]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

function open(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !data) throw new Error('not a sealed signing key');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(purpose);
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The cookie signing keys when OIDC_COOKIE_KEYS is not set: one, derived from the key-encryption key. */
export function derivedCookieKeys(base64Kek: string): string[] {
  const derived = hkdfSync(
    'sha256',
    Buffer.from(base64Kek, 'base64'),
    Buffer.alloc(0),
    'roster oidc cookies',
    32,
  );
  return [Buffer.from(derived).toString('base64url')];
}
