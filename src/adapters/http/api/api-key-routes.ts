import { z } from 'zod';
import type { ApiKeyListing } from '../../../domain/ports';
import type { ApiKeyService } from '../../../domain/tokens/api-key-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

export const apiKeySchema = z.object({
  id: z.string(),
  kind: z.enum(['member', 'service']),
  /** The member key's user; null for the service key. */
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  label: z.string(),
  created: z.string(),
  lastUsed: z.string().nullable(),
  revoked: z.string().nullable(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function apiKeyJson(key: ApiKeyListing): z.infer<typeof apiKeySchema> {
  return {
    id: key.id,
    kind: key.kind,
    userId: key.userId,
    userName: key.userName,
    label: key.label,
    created: new Date(key.created).toISOString(),
    lastUsed: iso(key.lastUsed),
    revoked: iso(key.revoked),
  };
}

/**
 * The account's API keys, found and ended without SQL: listed with when each was created and
 * last used (never a secret), and revoked at once. Issuing stays with the operator's CLI.
 */
export function apiKeyRoutes(apiKeys: ApiKeyService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/api-keys',
      summary:
        "The account's API keys, oldest first, revoked ones included: created and last used, never the secret",
      action: 'api_keys.view',
      responses: {
        200: { description: 'The keys', schema: z.object({ apiKeys: z.array(apiKeySchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({ apiKeys: (await apiKeys.list(actor)).map(apiKeyJson) }),
    }),
    apiRoute({
      method: 'delete',
      path: '/api-keys/:keyId',
      summary: 'Revoke an API key: refused from its next request on (audited as api_key.revoked)',
      action: 'api_keys.revoke',
      responses: {
        200: { description: 'The revoked key', schema: apiKeySchema },
        403: { description: "Not allowed (only the Owner revokes the Owner's keys)", schema: errorBody },
        404: { description: 'No live key with this id in this account', schema: errorBody },
      },
      handle: async ({ actor, params }) => apiKeyJson(await apiKeys.revoke(actor, params.keyId)),
    }),
  ];
}
