import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Action } from '../../../domain/access/actions';
import type { Actor } from '../../../domain/actor';
import { sendJsonBody } from '../send-json';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiResponseDoc {
  description: string;
  /** The JSON body; none for 204. */
  schema?: z.ZodType;
  /** Other media types this status may answer with (e.g. text/csv), described in words. */
  alternatives?: Record<string, string>;
}

interface Input<B, Q> {
  actor: Actor;
  body: B;
  query: Q;
  params: Record<string, string>;
  req: Request;
  res: Response;
}

/**
 * One endpoint of the admin API, as data: the route is registered from it and the OpenAPI
 * document is generated from it, so the two cannot drift. The handler gets a validated body and
 * query (zod, once, at the edge) and returns the JSON to send, or undefined when it answered itself.
 */
export interface ApiRoute {
  method: HttpMethod;
  /** Express syntax, relative to /api/v1: `/members/:userId`. */
  path: string;
  summary: string;
  /**
   * What it asks the rule book for (src/domain/access/actions.ts): the domain service enforces it
   * and the OpenAPI document names it with its permission; a test holds the two together. Null for
   * what every caller may (GET /me) or a public route.
   */
  action: Action | null;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Needs no API key (an invitation's secret is its own credential); there is no actor. */
  public?: boolean;
  /** The status of a success; 200 unless given. */
  status?: number;
  responses: Record<number, ApiResponseDoc>;
  handle(input: Input<unknown, unknown>): Promise<unknown>;
}

/** Defines a route with typed body and query (their types inferred from the schemas). */
export function apiRoute<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  route: Omit<ApiRoute, 'body' | 'query' | 'handle'> & {
    body?: B;
    query?: Q;
    handle(input: Input<z.output<B>, z.output<Q>>): Promise<unknown>;
  },
): ApiRoute {
  return route as ApiRoute;
}

export function registerRoutes(router: Router, routes: readonly ApiRoute[]): void {
  for (const route of routes) router[route.method](route.path, routeHandler(route));
}

/** The express handler of one route: validate, call the domain with the key's actor, answer. */
export function routeHandler(route: ApiRoute): RequestHandler {
  return async (req: Request, res: Response) => {
    const body = route.body ? route.body.parse(req.body ?? {}) : undefined;
    const query = route.query ? route.query.parse(req.query) : undefined;
    const actor = res.locals.actor as Actor;
    const params = req.params as Record<string, string>;
    const result = await route.handle({ actor, body, query, params, req, res });
    if (res.headersSent) return;
    const status = route.status ?? 200;
    if (result === undefined) res.status(status).end();
    else sendJsonBody(res, status, result, 'application/json; charset=utf-8');
  };
}
