import { z } from 'zod';
import type { MappingService } from '../../../domain/role-mapping/mapping-service';
import type { RoleMapping } from '../../../domain/ports';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody, mappingSchema } from './api-schemas';

const newMapping = z.strictObject({
  /** The IdP group: by its SCIM id, its externalId, or its displayName (case-insensitive). */
  group: z.strictObject({ by: z.enum(['id', 'externalId', 'displayName']), value: z.string().min(1) }),
  role: z.string().min(1),
});

const refused = { description: 'Refused; the error says why', schema: errorBody };
const notFound = { description: 'No such mapping in this account', schema: errorBody };

export function mappingJson(mapping: RoleMapping) {
  return {
    id: mapping.id,
    group: { by: mapping.matchKind, value: mapping.matchValue },
    role: mapping.roleKey,
    created: new Date(mapping.created).toISOString(),
  };
}

/** IdP group → role mappings. Every change recomputes the members' roles in the same transaction. */
export function mappingRoutes(mappings: MappingService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/mappings',
      summary: "The account's IdP group → role mappings",
      action: 'users.view',
      responses: {
        200: { description: 'Every mapping', schema: z.object({ mappings: z.array(mappingSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({ mappings: (await mappings.list(actor)).map(mappingJson) }),
    }),
    apiRoute({
      method: 'post',
      path: '/mappings',
      summary: 'Map an IdP group to a role (never the Owner role)',
      action: 'mappings.edit',
      body: newMapping,
      status: 201,
      responses: {
        201: { description: 'The new mapping; its members have the role', schema: mappingSchema },
        400: refused,
        403: refused,
        409: { description: 'The group is already mapped', schema: errorBody },
      },
      handle: async ({ actor, body }) =>
        mappingJson(
          await mappings.add(actor, {
            matchKind: body.group.by,
            matchValue: body.group.value,
            roleKey: body.role,
          }),
        ),
    }),
    apiRoute({
      method: 'get',
      path: '/mappings/:mappingId',
      summary: 'One mapping',
      action: 'users.view',
      responses: { 200: { description: 'The mapping', schema: mappingSchema }, 403: refused, 404: notFound },
      handle: async ({ actor, params }) => mappingJson(await mappings.get(actor, params.mappingId)),
    }),
    apiRoute({
      method: 'put',
      path: '/mappings/:mappingId',
      summary: 'Point a mapping at another role',
      action: 'mappings.edit',
      body: z.strictObject({ role: z.string().min(1) }),
      responses: {
        200: { description: 'The mapping; its members have the new role', schema: mappingSchema },
        400: refused,
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, body }) =>
        mappingJson(await mappings.changeRole(actor, params.mappingId, body.role)),
    }),
    apiRoute({
      method: 'delete',
      path: '/mappings/:mappingId',
      summary: "Remove a mapping; its members' roles are recomputed",
      action: 'mappings.edit',
      status: 204,
      responses: { 204: { description: 'Removed' }, 403: refused, 404: notFound },
      handle: async ({ actor, params }) => {
        await mappings.remove(actor, params.mappingId);
      },
    }),
  ];
}
