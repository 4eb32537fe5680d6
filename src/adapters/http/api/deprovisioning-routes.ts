import { z } from 'zod';
import type { BrakeStatus, DeprovisioningBrake } from '../../../domain/users/deprovisioning-brake';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

const brakeSchema = z.object({
  windowMinutes: z.number().int(),
  recent: z
    .number()
    .int()
    .describe(
      'Users who lost access within the window: deactivated or deleted over SCIM, or left without a role by groups',
    ),
  lostRoleThroughGroups: z
    .number()
    .int()
    .describe('Of those, users left without a role by SCIM group changes or removed mappings'),
  limit: z.number().int(),
  held: z
    .boolean()
    .describe(
      'Further SCIM deactivations, deletions and group changes that remove access get 503 until approved',
    ),
  approvedUntil: z.string().nullable(),
});

function brakeJson(status: BrakeStatus) {
  return {
    ...status,
    approvedUntil: status.approvedUntil === null ? null : new Date(status.approvedUntil).toISOString(),
  };
}

/** The brake on mass deprovisioning over SCIM: see it, and approve further deactivations. */
export function deprovisioningRoutes(brake: DeprovisioningBrake): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/deprovisioning',
      summary: 'The SCIM deprovisioning brake: deactivations in the last hour, the limit, whether it holds',
      action: 'users.view',
      responses: { 200: { description: 'The brake', schema: brakeSchema }, 403: refused },
      handle: async ({ actor }) => brakeJson(await brake.status(actor)),
    }),
    apiRoute({
      method: 'post',
      path: '/deprovisioning/approve',
      summary: 'Approve further SCIM deactivations and deletions for the next hour (Owner or Admin), audited',
      action: 'deprovisioning.approve',
      responses: {
        200: { description: 'The brake, as it was when approved', schema: brakeSchema },
        403: refused,
      },
      handle: async ({ actor }) => brakeJson(await brake.approve(actor)),
    }),
  ];
}
