import { DomainError } from '../errors';
import type { Clock, UnitOfWork } from '../ports';
import type { SigningKey, SigningKeyCrypto } from './oidc-ports';

/** A retired key stays published this long: every ID token it signed has expired by then. */
export const retiredKeyPublishedMs = 2 * 60 * 60_000;

export interface PublishedKey {
  kid: string;
  created: number;
  retired: number | null;
  /** Private JWK: for the provider and the logout-token signer only, never printed. */
  privateJwk: Record<string, unknown>;
}

/**
 * The account-independent key that signs ID tokens and logout tokens. It lives in the database,
 * sealed under the key-encryption key from config, so every instance signs with the same key and a
 * stolen database alone signs nothing. `rotate` makes a new current key; the old one stays in the
 * JWKS until the tokens it signed have expired, so products verifying with a cached JWKS keep working.
 */
export class SigningKeyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly crypto: SigningKeyCrypto,
  ) {}

  /** Makes the first key if there is none (the first start of a server with the hand-off on). */
  async ensureKey(): Promise<void> {
    const live = await this.uow.read(async (tx) => (await tx.signingKeys.list()).filter((k) => !k.retired));
    if (live.length > 0) return;
    await this.uow.write(null, async (tx) => {
      if ((await tx.signingKeys.list()).some((k) => !k.retired)) return;
      await tx.signingKeys.insert(this.newKey());
    });
  }

  /** A new current key; the previous one is retired (still published for a while). */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const now = this.clock.now();
    return this.uow.write(null, async (tx) => {
      const keys = await tx.signingKeys.list();
      const live = keys.filter((k) => !k.retired);
      for (const key of live) await tx.signingKeys.retire(key.kid, now);
      for (const key of keys) {
        if (key.retired !== null && key.retired + retiredKeyPublishedMs <= now)
          await tx.signingKeys.delete(key.kid);
      }
      const key = this.newKey();
      await tx.signingKeys.insert(key);
      return { kid: key.kid, retired: live.map((k) => k.kid) };
    });
  }

  /** Newest first, without private parts: what `roster oidc keys list` shows. */
  async list(): Promise<Omit<SigningKey, 'sealedPrivateJwk'>[]> {
    const keys = await this.uow.read((tx) => tx.signingKeys.list());
    return keys.map(({ sealedPrivateJwk: _sealed, ...key }) => key);
  }

  /** The keys to publish now, the current (signing) one first. */
  async published(): Promise<PublishedKey[]> {
    const now = this.clock.now();
    const keys = await this.uow.read((tx) => tx.signingKeys.list());
    const shown = keys.filter((k) => k.retired === null || k.retired + retiredKeyPublishedMs > now);
    if (!shown.some((k) => k.retired === null)) {
      throw DomainError.precondition('oidc.no_signing_key', 'There is no current signing key');
    }
    shown.sort((a, b) => Number(a.retired !== null) - Number(b.retired !== null) || b.created - a.created);
    return shown.map((k) => ({
      kid: k.kid,
      created: k.created,
      retired: k.retired,
      privateJwk: this.crypto.open(k.sealedPrivateJwk),
    }));
  }

  private newKey(): SigningKey {
    const made = this.crypto.generate();
    return { ...made, alg: 'RS256', created: this.clock.now(), retired: null };
  }
}
