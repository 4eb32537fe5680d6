import type { OidcClient, OidcClientRepository } from '../../../domain/oidc/oidc-ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

/** Registered products; only the SHA-256 digest of each secret is stored. */
export class OidcClientRepositorySql implements OidcClientRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(client: OidcClient, secretHash: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO oidc_clients (id, name, secret_hash, redirect_uris, post_logout_redirect_uris,
         backchannel_logout_uri, token_endpoint_auth_method, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        client.id,
        client.name,
        secretHash,
        JSON.stringify(client.redirectUris),
        JSON.stringify(client.postLogoutRedirectUris),
        client.backchannelLogoutUri,
        client.authMethod,
        client.created,
        client.createdBy,
      ],
    );
  }

  async get(clientId: string): Promise<(OidcClient & { secretHash: string }) | null> {
    const rows = await this.sql.all('SELECT * FROM oidc_clients WHERE id = ?', [clientId]);
    return rows.length ? { ...toClient(rows[0]), secretHash: rows[0].secret_hash as string } : null;
  }

  async list(): Promise<OidcClient[]> {
    return (await this.sql.all('SELECT * FROM oidc_clients ORDER BY created_at, id')).map(toClient);
  }

  async revoke(clientId: string, at: number, by: string): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE oidc_clients SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL',
      [at, by, clientId],
    );
    return changed > 0;
  }
}

function toClient(row: Record<string, unknown>): OidcClient {
  return {
    id: row.id as string,
    name: row.name as string,
    redirectUris: JSON.parse(row.redirect_uris as string) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris as string) as string[],
    backchannelLogoutUri: (row.backchannel_logout_uri as string | null) ?? null,
    authMethod: row.token_endpoint_auth_method as OidcClient['authMethod'],
    created: num(row.created_at),
    createdBy: row.created_by as string,
    revoked: numOrNull(row.revoked_at),
  };
}
