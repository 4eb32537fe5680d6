import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { DomainError } from '../../domain/errors';
import type { TotpCrypto } from '../../domain/mfa/totp-ports';

const periodSeconds = 30;
/** Backup codes use an alphabet without look-alikes (no 0/o, 1/l/i). */
const backupAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of drift either way, as every authenticator
 * app expects) with otplib, and the secret sealed with AES-256-GCM under MFA_TOTP_KEY:
 * `v1.<iv>.<tag>.<ciphertext>` in base64url, so a stolen database alone gives no codes.
 */
export function totpCrypto(base64Key: string | null): TotpCrypto {
  const key = base64Key ? Buffer.from(base64Key, 'base64') : null;
  const needKey = (): Buffer => {
    if (key) return key;
    throw DomainError.invalid(
      'mfa.totp_unavailable',
      "Roster's TOTP is not set up on this server (MFA_TOTP_KEY is missing)",
    );
  };
  return {
    newSecret: () => generateSecret(),
    seal: (secret) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', needKey(), iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), sealed]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open: (sealed) => {
      const [, iv, tag, data] = sealed.split('.');
      const decipher = createDecipheriv('aes-256-gcm', needKey(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    verify: (secret, code, at) => {
      const result = verifySync({
        secret,
        token: code,
        epoch: Math.floor(at / 1000),
        period: periodSeconds,
        epochTolerance: periodSeconds,
      });
      return result.valid ? Math.floor(Math.floor(at / 1000) / periodSeconds) + result.delta : null;
    },
    keyUri: (secret, label, issuer) => generateURI({ secret, label, issuer, period: periodSeconds }),
    newBackupCode: () => {
      const chars = Array.from(randomBytes(10), (b) => backupAlphabet[b % backupAlphabet.length]).join('');
      return `${chars.slice(0, 5)}-${chars.slice(5)}`;
    },
  };
}
