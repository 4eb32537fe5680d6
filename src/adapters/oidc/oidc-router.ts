import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports';
import type { SigningKeyService } from '../../domain/oidc/signing-key-service';
import { interactionRoutes, type InteractionDependencies } from './interaction-routes';
import type { SingleLogout } from '../saml/single-logout';
import { buildProvider, type ProviderOptions } from './provider';

export interface OidcDependencies extends InteractionDependencies {
  signingKeys: SigningKeyService;
  clock: Clock;
  /** SAML single logout when a product logs the person out (single-logout.ts); absent: none. */
  singleLogout?: SingleLogout;
  /** Roster's back-channel sender (backchannel-logout.ts), for the notices a product's logout sends. */
  backchannel?: ProviderOptions['backchannel'];
}

export interface OidcRouteOptions {
  issuer: string;
  cookieKeys: readonly string[];
  adapter: ProviderOptions['adapter'];
}

/** How often an instance looks for a rotated signing key (`roster oidc rotate-keys` on another host). */
const keyCheckMs = 10_000;

/**
 * `/oidc`: the provider (discovery, JWKS, authorization, token, userinfo, logout) and its
 * interactions. The provider holds its keys in memory, so each instance rebuilds it when the key
 * set in the database changed; everything else it keeps is in the database already.
 */
export function oidcRouter(deps: OidcDependencies, options: OidcRouteOptions, logger: Logger) {
  let current: { provider: Provider; handler: ReturnType<Provider['callback']>; kids: string } | null = null;
  let checkedAt = -Infinity;
  let building: Promise<void> | null = null;

  const refresh = async () => {
    await deps.signingKeys.ensureKey();
    const keys = await deps.signingKeys.published();
    const kids = keys.map((k) => k.kid).join(',');
    checkedAt = deps.clock.now();
    if (current?.kids === kids) return;
    const provider = await buildProvider({
      ...options,
      keys,
      handOff: deps.handOff,
      ...(deps.singleLogout ? { singleLogout: deps.singleLogout } : {}),
      ...(deps.backchannel ? { backchannel: deps.backchannel } : {}),
    });
    provider.on('server_error', (_ctx, err) => logger.error({ err }, 'OpenID Provider failed'));
    current = { provider, handler: provider.callback(), kids };
    logger.info({ kids }, 'OpenID Provider keys loaded');
  };

  const ready = async () => {
    if (!current || deps.clock.now() - checkedAt > keyCheckMs) {
      building ??= refresh().finally(() => (building = null));
      await building;
    }
    if (!current) throw new Error('the OpenID Provider could not be built');
    return current;
  };

  const router = Router();
  router.use(interactionRoutes(async () => (await ready()).provider, deps, logger));
  // Back from the IdP's single logout: on to where the product's logout was going (provider.ts).
  router.get('/oidc/logout-return/:key', async (req: Request, res: Response) => {
    const key = String(req.params.key);
    const returnTo = /^[A-Za-z0-9_-]{16,64}$/.test(key) ? await deps.handOff.afterIdpLogout(key) : null;
    res.set('cache-control', 'no-store');
    res.redirect(303, returnTo ?? `${options.issuer}/session/end/success`);
  });
  router.use('/oidc', async (req: Request, res: Response) => {
    const { handler } = await ready();
    await handler(req, res);
  });
  return { router, provider: async () => (await ready()).provider };
}
