import type { NextFunction, Request, Response } from 'express';

/**
 * A request refused before any handler ran: unreadable or oversized body, a path that is not
 * valid percent-encoded UTF-8. Each transport renders it in its own shape (SCIM error, API error,
 * SSO page), always as a 4xx: these are the client's mistakes, never Roster's.
 */
export interface RequestRefusal {
  status: number;
  code: string;
  message: string;
}

/** Thrown by refuseUndecodablePath. */
export class UndecodablePathError extends Error {
  readonly status = 400;
  readonly type = 'request.bad_path';
  constructor() {
    super('The request path is not valid percent-encoded UTF-8');
    this.name = 'UndecodablePathError';
  }
}

const byType: Record<string, (err: { limit?: number; message?: string }) => RequestRefusal> = {
  'entity.parse.failed': () => ({
    status: 400,
    code: 'request.invalid_json',
    message: 'The request body is not valid JSON',
  }),
  'entity.too.large': (err) => ({
    status: 413,
    code: 'request.too_large',
    message: `The request body is larger than the maximum of ${err.limit} bytes`,
  }),
  'entity.too.deep': (err) => ({
    status: 400,
    code: 'request.too_deep',
    message: err.message ?? 'The JSON body is nested too deeply',
  }),
  'parameters.too.many': () => ({
    status: 413,
    code: 'request.too_many_parameters',
    message: 'The form has too many fields',
  }),
  'encoding.unsupported': () => ({
    status: 400,
    code: 'request.unsupported_encoding',
    message: 'The request body encoding is not supported; send UTF-8',
  }),
  'charset.unsupported': () => ({
    status: 400,
    code: 'request.unsupported_encoding',
    message: 'The request body encoding is not supported; send UTF-8',
  }),
  'request.bad_path': (err) => ({
    status: 400,
    code: 'request.bad_path',
    message: err.message ?? 'The request path is not valid percent-encoded UTF-8',
  }),
};

/** The refusal for an error raised by express, body-parser or the guards here; null for anything else. */
export function requestRefusalOf(err: unknown): RequestRefusal | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { type?: unknown; status?: unknown; expose?: unknown; limit?: number; message?: string };
  const render = typeof e.type === 'string' && Object.hasOwn(byType, e.type) ? byType[e.type] : undefined;
  if (render) return render(e);
  // express's router fails to decode a route parameter (`/Users/%ff`) with a URIError marked 400.
  if (err instanceof URIError) return byType['request.bad_path']({});
  // Any other client error express or body-parser marked as safe to show (e.g. an aborted upload).
  if (e.expose === true && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: 'request.invalid', message: 'The request could not be read' };
  }
  return null;
}

/**
 * Refuses a path whose percent-escapes are not UTF-8 (`%ff`, `%`, `%ed%a0%80`) before routing, so
 * no handler, lookup or log line ever sees it. Costs nothing for paths without a `%`.
 */
export function refuseUndecodablePath(req: Request, _res: Response, next: NextFunction): void {
  const url = req.url;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      return next(new UndecodablePathError());
    }
  }
  next();
}
