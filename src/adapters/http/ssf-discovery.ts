import type { Express } from 'express';
import type { StreamService } from '../../domain/ssf/stream-service';
import { pollMethod, pushMethod } from '../../domain/ssf/ssf-vocabulary';

/**
 * SSF §7.2: the transmitter configuration metadata, public, at /.well-known/ssf-configuration.
 * The issuer is PUBLIC_URL; SETs are signed with the OpenID Provider's keys, so `jwks_uri` is its
 * JWKS. Receivers authenticate with the account's service key as a bearer token (RFC 6750).
 * Absent (404) when Shared Signals is off (no OIDC_KEY_ENCRYPTION_KEY: nothing to sign with).
 */
export function mountSsfDiscovery(app: Express, ssf: StreamService, publicUrl: string): void {
  app.get('/.well-known/ssf-configuration', (_req, res) => {
    if (!ssf.enabled) {
      res.status(404).json({ error: { code: 'ssf.off', message: 'Shared Signals is off on this server' } });
      return;
    }
    const api = `${publicUrl}/api/v1/ssf`;
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      spec_version: '1_0',
      issuer: ssf.settings.issuer,
      jwks_uri: `${publicUrl}/oidc/jwks`,
      delivery_methods_supported: [pushMethod, pollMethod],
      configuration_endpoint: `${api}/stream`,
      status_endpoint: `${api}/status`,
      verification_endpoint: `${api}/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
      default_subjects: 'ALL',
    });
  });
}
