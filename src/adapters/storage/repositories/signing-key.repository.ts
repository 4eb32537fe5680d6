import type { SigningKey, SigningKeyRepository } from '../../../domain/oidc/oidc-ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

/** ID token signing keys; the private JWK is stored sealed (AES-256-GCM under the key-encryption key). */
export class SigningKeyRepositorySql implements SigningKeyRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(key: SigningKey): Promise<void> {
    await this.sql.run(
      'INSERT INTO oidc_signing_keys (kid, alg, public_jwk, sealed_private_jwk, created_at) VALUES (?, ?, ?, ?, ?)',
      [key.kid, key.alg, JSON.stringify(key.publicJwk), key.sealedPrivateJwk, key.created],
    );
  }

  async list(): Promise<SigningKey[]> {
    const rows = await this.sql.all('SELECT * FROM oidc_signing_keys ORDER BY created_at DESC, kid');
    return rows.map((row) => ({
      kid: row.kid as string,
      alg: 'RS256',
      publicJwk: JSON.parse(row.public_jwk as string) as Record<string, unknown>,
      sealedPrivateJwk: row.sealed_private_jwk as string,
      created: num(row.created_at),
      retired: numOrNull(row.retired_at),
    }));
  }

  async retire(kid: string, at: number): Promise<void> {
    await this.sql.run('UPDATE oidc_signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL', [
      at,
      kid,
    ]);
  }

  async delete(kid: string): Promise<void> {
    await this.sql.run('DELETE FROM oidc_signing_keys WHERE kid = ?', [kid]);
  }
}
