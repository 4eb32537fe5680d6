import { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { GroupService } from '../../domain/groups/group-service';
import type { ScimTokenService } from '../../domain/tokens/scim-token-service';
import type { UserService } from '../../domain/users/user-service';
import { jsonBody } from '../http/json-body';
import { requestIdOf } from '../http/request-context';
import { isDomainError } from '../../domain/errors';
import type { RateLimits } from '../http/rate-limits';
import type { CursorCodec } from './cursor';
import { refuseUndecodablePath } from '../http/request-refusals';
import { discoveryRoutes } from './discovery-routes';
import { renderScimError } from './errors';
import { mountGroupRoutes } from './group-routes';
import { sendScim } from './respond';
import { ScimError } from './scim-error';
import { scimTokenAuth } from './token-auth';
import { mountUserRoutes } from './user-routes';

export interface ScimDependencies {
  users: UserService;
  groups: GroupService;
  tokens: ScimTokenService;
  rateLimits: RateLimits;
}

export interface ScimOptions {
  baseUrl: string;
  /** Signs and checks RFC 9865 list cursors. */
  cursors: CursorCodec;
  maxResults: number;
  maxPayloadBytes: number;
  roleName(roleKey: string): string;
}

/**
 * The SCIM 2.0 service at /scim/v2. Routed here rather than by scimmy-routers (see
 * docs/decisions.md); scimmy supplies schemas, type coercion and PatchOp validation.
 */
export function mountScim(app: Express, deps: ScimDependencies, options: ScimOptions, logger: Logger): void {
  const prefix = '/scim/v2';
  const routeOptions = { ...options, prefix };
  // Okta's SPEC tests send application/json; RFC 7644 clients send application/scim+json.
  const parseJson = jsonBody({
    type: ['application/json', 'application/scim+json', 'application/*+json'],
    limit: options.maxPayloadBytes,
  });
  // One middleware, not two: each layer costs on the GET hot path (docs/benchmarks.md).
  const authenticateThenParse = scimTokenAuth(deps.tokens, deps.rateLimits, parseJson);
  // Registered on the app itself with full paths, not on nested routers: each router level costs
  // on every request.
  app.use(prefix, refuseUndecodablePath);
  app.use([`${prefix}/Users`, `${prefix}/Groups`], authenticateThenParse);
  mountUserRoutes(app, deps.users, routeOptions);
  mountGroupRoutes(app, deps.groups, routeOptions);
  app.use(prefix, discoveryRoutes(options.baseUrl, options));
  app.use(prefix, authenticateThenParse);
  app.use(prefix, () => {
    throw new ScimError(
      404,
      undefined,
      'No such SCIM endpoint; see /ServiceProviderConfig for what is supported',
    );
  });
  app.use(prefix, scimErrorHandler(logger));
}

/** Every failure leaves as an RFC 7644 error; a bug is a logged 500, never a hidden 404. */
function scimErrorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const requestId = requestIdOf(res);
    const rendered = renderScimError(err, requestId);
    if (rendered.unexpected) logger.error({ err, requestId }, 'SCIM request failed');
    else if (isDomainError(err) && err.kind === 'unavailable')
      logger.warn({ err, requestId }, 'SCIM request failed: database unavailable');
    if (rendered.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(rendered.retryAfterSeconds));
    sendScim(res, rendered.status, rendered.body);
  };
}
