import type { Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { sendJsonBody } from '../http/send-json';
import { etagOf, notModified } from './etag';
import { project, type Projection } from './projection';
import { ScimError } from './scim-error';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Writes a SCIM JSON body: this is the hot path of every SCIM read. */
export function sendScim(res: Response, status: number, body: unknown): void {
  sendJsonBody(res, status, body, SCIM_CONTENT_TYPE);
}

/** A single resource with its ETag; 304 when If-None-Match already names this version. */
export function sendResource(
  req: Request,
  res: Response,
  status: number,
  resource: Record<string, unknown>,
  version: number,
  options: { projection?: Projection; coreUrn: string },
): void {
  res.setHeader('ETag', etagOf(version));
  if (status === 200 && req.method === 'GET' && notModified(req.header('if-none-match'), version)) {
    res.status(304).end();
    return;
  }
  const meta = resource.meta as { location?: string } | undefined;
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  sendScim(
    res,
    status,
    options.projection ? project(resource, options.projection, options.coreUrn) : resource,
  );
}

/** Validates a PatchOp envelope with scimmy and returns its operations. */
export function patchOperations(body: unknown): unknown[] {
  try {
    const message = new SCIMMY.Messages.PatchOp(
      body as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0],
    );
    return message.Operations as unknown[];
  } catch (err) {
    const e = err as { status?: number; scimType?: string; message?: string };
    throw ScimError.badRequest(
      e.scimType === 'noTarget' ? 'noTarget' : 'invalidSyntax',
      e.message ?? 'The body is not a valid PatchOp message',
    );
  }
}

/** Query parameters for GET, or the SearchRequest body for POST /.search (RFC 7644 §3.4.3). */
export function searchParams(req: Request): Record<string, unknown> {
  if (req.method === 'GET') return req.query as Record<string, unknown>;
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ScimError.badRequest('invalidSyntax', 'A .search request needs a SearchRequest JSON body');
  }
  return body as Record<string, unknown>;
}
