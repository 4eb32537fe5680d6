import { z } from 'zod';
import type { SupportGrant } from '../../../domain/ports';
import { grantDays, type SupportAccessService } from '../../../domain/support-access/support-access-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody, supportGrantSchema } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

const grantBody = z.union([
  z.strictObject({ days: z.union(grantDays.map((d) => z.literal(d))) }),
  z.strictObject({ until: z.iso.datetime({ offset: true }) }),
]);

export function supportGrantJson(grant: SupportGrant, now: number) {
  const active = grant.ended === null && grant.expires > now;
  return {
    id: grant.id,
    grantedBy: grant.grantedByName,
    granted: new Date(grant.created).toISOString(),
    expires: new Date(grant.expires).toISOString(),
    status: active ? ('active' as const) : grant.endReason === null ? ('expired' as const) : grant.endReason,
    ended: grant.ended === null ? null : new Date(grant.ended).toISOString(),
  };
}

/** Time-limited access for the vendor's support staff (shared/seeds/002). */
export function supportRoutes(support: SupportAccessService, now: () => number): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/support-access',
      summary: 'Support grants, newest first: who granted each, when it ends or ended',
      action: 'support_access.view',
      responses: {
        200: { description: 'Every grant', schema: z.object({ grants: z.array(supportGrantSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({
        grants: (await support.list(actor)).map((g) => supportGrantJson(g, now())),
      }),
    }),
    apiRoute({
      method: 'post',
      path: '/support-access',
      summary: 'Grant support access for 1, 7, 30 or 90 days, or until a date at most 90 days ahead',
      action: 'support_access.grant',
      body: grantBody,
      status: 201,
      responses: {
        201: { description: 'The grant (it replaces one still running)', schema: supportGrantSchema },
        400: refused,
        403: refused,
      },
      handle: async ({ actor, body }) =>
        supportGrantJson(
          await support.grant(
            actor,
            'days' in body ? { days: body.days } : { until: Date.parse(body.until) },
          ),
          now(),
        ),
    }),
    apiRoute({
      method: 'delete',
      path: '/support-access/:grantId',
      summary: 'Revoke a support grant at once; its sessions stop working on their next request',
      action: 'support_access.revoke',
      responses: {
        200: { description: 'The ended grant', schema: supportGrantSchema },
        403: refused,
        404: { description: 'No such grant in this account', schema: errorBody },
        409: { description: 'The grant has already ended', schema: errorBody },
      },
      handle: async ({ actor, params }) =>
        supportGrantJson(await support.revoke(actor, params.grantId), now()),
    }),
  ];
}
