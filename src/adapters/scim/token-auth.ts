import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from '../../domain/actor';
import type { ScimTokenService } from '../../domain/tokens/scim-token-service';
import { isDomainError } from '../../domain/errors';
import type { RateLimits } from '../http/rate-limits';
import { requestIdOf } from '../http/request-context';
import { ScimError } from './scim-error';

/**
 * Resolves the bearer token to its account before any SCIM handler runs: an unknown or revoked
 * token never reaches scimmy or the domain, and its body is not even read. A refused token counts
 * against the client's address and each request against its token (429 past either limit). Then
 * `parseBody` reads the body of requests that have one.
 */
export function scimTokenAuth(tokens: ScimTokenService, limits: RateLimits, parseBody: RequestHandler) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="roster-scim"');
      throw new ScimError(401, undefined, 'Authorization: Bearer <SCIM token> is required');
    }
    let actor: Actor;
    try {
      actor = await tokens.authenticate(match[1], requestIdOf(res));
    } catch (err) {
      if (!isDomainError(err) || err.kind !== 'unauthenticated') throw err;
      await limits.refused(req);
      res.setHeader('WWW-Authenticate', 'Bearer realm="roster-scim", error="invalid_token"');
      throw err;
    }
    res.locals.actor = actor;
    if (actor.kind === 'scim-token') await limits.used(`scim:${actor.tokenId}`);
    if (req.method === 'GET' || req.method === 'DELETE') next();
    else parseBody(req, res, next);
  };
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('SCIM route reached without an authenticated actor');
  return actor;
}
