import { Router } from 'express';
import { listResponse } from './list-query';
import { sendScim } from './respond';
import { resourceTypeResources, schemaResources, serviceProviderConfig } from './schemas';
import { ScimError } from './scim-error';

/** RFC 7644 §4 discovery. Static and the same for every account, so no token is needed. */
export function discoveryRoutes(
  baseUrl: string,
  limits: { maxResults: number; maxPayloadBytes: number },
): Router {
  const router = Router();
  const schemas = schemaResources(baseUrl);
  const resourceTypes = resourceTypeResources(baseUrl);

  router.get('/ServiceProviderConfig', (_req, res) =>
    sendScim(res, 200, serviceProviderConfig(baseUrl, limits)),
  );
  router.get('/Schemas', (_req, res) => sendScim(res, 200, listResponse(schemas, schemas.length, 1)));
  router.get('/Schemas/:id', (req, res) => sendScim(res, 200, findById(schemas, req.params.id, 'Schema')));
  router.get('/ResourceTypes', (_req, res) =>
    sendScim(res, 200, listResponse(resourceTypes, resourceTypes.length, 1)),
  );
  router.get('/ResourceTypes/:id', (req, res) =>
    sendScim(res, 200, findById(resourceTypes, req.params.id, 'ResourceType')),
  );
  // RFC 7644 §4: discovery is read-only; a write is the wrong method, not an unknown endpoint.
  router.all(
    ['/ServiceProviderConfig', '/Schemas', '/Schemas/:id', '/ResourceTypes', '/ResourceTypes/:id'],
    (req, res) => {
      res.setHeader('Allow', 'GET, HEAD');
      throw new ScimError(
        405,
        undefined,
        `${req.method} is not allowed here; discovery endpoints are read-only`,
      );
    },
  );
  return router;
}

function findById<T extends { id: string }>(items: T[], id: string, kind: string): T {
  const found = items.find((item) => item.id.toLowerCase() === id.toLowerCase());
  if (!found) throw new ScimError(404, undefined, `${kind} ${id} not found`);
  return found;
}
