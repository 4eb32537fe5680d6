import type { ClientMetadata } from 'oidc-provider';
import type { OidcClient } from '../../domain/oidc/oidc-ports';

/**
 * A registered product as oidc-provider reads a client. `client_secret` carries the SHA-256 digest
 * of the secret, never the secret: `compareClientSecret` (provider.ts) digests what the product
 * sends before comparing, so only client_secret_basic and client_secret_post can work, never
 * client_secret_jwt or HS256 (both would need the secret itself), and neither is offered.
 */
export function clientMetadata(client: OidcClient & { secretHash: string }): ClientMetadata {
  return {
    client_id: client.id,
    client_secret: client.secretHash,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    ...(client.backchannelLogoutUri
      ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.authMethod,
    id_token_signed_response_alg: 'RS256',
  };
}
