import { DomainError } from '../errors';
import type { Clock, IdGenerator, UnitOfWork } from '../ports';
import type { SecretCodec } from '../tokens/scim-token-service';
import type { OidcClient } from './oidc-ports';

export interface ClientRegistration {
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  backchannelLogoutUri?: string | null;
  /** client_secret_basic (the default of most OIDC clients) or client_secret_post. */
  authMethod?: OidcClient['authMethod'];
}

export interface RegisteredClient {
  client: OidcClient;
  /** Shown once; Roster keeps only its SHA-256 digest. */
  secret: string;
}

const maxUris = 20;

/**
 * The products that sign their users in through Roster (OpenID Connect clients). The operator
 * registers them: a client belongs to no account, because one product serves every account. There
 * is no account audit log to write to, so each client row records who created and revoked it.
 */
export class ClientService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
  ) {}

  async register(operator: string, registration: ClientRegistration): Promise<RegisteredClient> {
    const name = registration.name.trim();
    if (name.length === 0 || name.length > 100) {
      throw DomainError.invalid('client.name_invalid', 'A client name has 1 to 100 characters');
    }
    const redirectUris = checkedUris(registration.redirectUris, 'redirect URI');
    if (redirectUris.length === 0) {
      throw DomainError.invalid('client.redirect_uri_required', 'Give at least one --redirect-uri');
    }
    const client: OidcClient = {
      id: `rc_${this.ids.newId().replace(/-/g, '')}`,
      name,
      redirectUris,
      postLogoutRedirectUris: checkedUris(
        registration.postLogoutRedirectUris ?? [],
        'post-logout redirect URI',
      ),
      backchannelLogoutUri: registration.backchannelLogoutUri
        ? checkedUris([registration.backchannelLogoutUri], 'back-channel logout URI')[0]
        : null,
      authMethod: registration.authMethod ?? 'client_secret_basic',
      created: this.clock.now(),
      createdBy: operator,
      revoked: null,
    };
    const secret = `rcs_${this.codec.newSecret().replace(/^rst_/, '')}`;
    await this.uow.write(null, (tx) => tx.oidcClients.insert(client, this.codec.digest(secret)));
    return { client, secret };
  }

  /** A live client (not revoked), or null. */
  async get(clientId: string): Promise<OidcClient | null> {
    const found = await this.uow.read((tx) => tx.oidcClients.get(clientId));
    if (!found || found.revoked !== null) return null;
    const { secretHash: _digest, ...client } = found;
    return client;
  }

  async list(): Promise<OidcClient[]> {
    return this.uow.read((tx) => tx.oidcClients.list());
  }

  /** Refused from the next request on: its codes and tokens no longer work at the token endpoint. */
  async revoke(operator: string, clientId: string): Promise<void> {
    const revoked = await this.uow.write(null, (tx) =>
      tx.oidcClients.revoke(clientId, this.clock.now(), operator),
    );
    if (!revoked) throw DomainError.notFound('client.not_found', `No live client ${clientId}`);
  }
}

/**
 * Absolute https URLs without a fragment, compared exactly by the provider; plain http only for
 * the loopback host (a product on a developer's machine). No wildcards: `*` is refused.
 */
function checkedUris(uris: readonly string[], what: string): string[] {
  if (uris.length > maxUris) throw DomainError.invalid('client.too_many_uris', `At most ${maxUris} ${what}s`);
  return uris.map((text) => {
    let url: URL | null;
    try {
      url = new URL(text);
    } catch {
      url = null;
    }
    const loopback = url?.hostname === 'localhost' || url?.hostname === '127.0.0.1';
    const allowed = url && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
    if (
      !url ||
      !allowed ||
      url.hash ||
      text.includes('*') ||
      url.username ||
      url.password ||
      text.length > 2000
    ) {
      throw DomainError.invalid(
        'client.uri_invalid',
        `The ${what} "${text}" must be an absolute https URL (http only on localhost), with no fragment, wildcard or credentials`,
      );
    }
    return text;
  });
}
