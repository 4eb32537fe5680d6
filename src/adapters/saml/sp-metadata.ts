import type { Request, Response } from 'express';
import { isUuid, type AccountId } from '../../domain/ids';
import type { SsoConfigService } from '../../domain/sso/sso-config-service';
import { nameIdFormat, spEndpoints, type SpKey } from './saml-options';

/**
 * GET /sso/:accountId/metadata: what the IdP admin uploads. With Roster's key it also carries the
 * certificate for signing and for encrypting assertions, and the single-logout URL.
 */
export function metadataRoute(
  deps: { ssoConfig: SsoConfigService },
  options: { publicUrl: string; spKey: SpKey | null },
  samlLibrary: () => Promise<typeof import('@node-saml/passport-saml')>,
) {
  return async (req: Request, res: Response) => {
    const accountId = String(req.params.accountId);
    if (!isUuid(accountId) || !(await deps.ssoConfig.forSignIn(accountId as AccountId))) {
      res.status(404).type('text/plain').send('No such account');
      return;
    }
    const sp = spEndpoints(options.publicUrl, accountId);
    const { generateServiceProviderMetadata } = await samlLibrary();
    res.type('application/samlmetadata+xml').send(
      generateServiceProviderMetadata({
        issuer: sp.entityId,
        callbackUrl: sp.acsUrl,
        identifierFormat: nameIdFormat,
        wantAssertionsSigned: true,
        ...(options.spKey
          ? {
              decryptionPvk: options.spKey.privateKey,
              decryptionCert: options.spKey.cert,
              privateKey: options.spKey.privateKey,
              publicCerts: options.spKey.cert,
              logoutCallbackUrl: sp.sloUrl,
            }
          : {}),
      }),
    );
  };
}
