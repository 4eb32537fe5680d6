import { z } from 'zod';
import type { InactivityService } from '../../../domain/lifecycle/inactivity-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const settingsBody = z.strictObject({
  days: z.number().int(),
  action: z.enum(['flag', 'deactivate']),
});

const inactivitySchema = settingsBody.extend({
  flagged: z.array(
    z.object({
      userId: z.string(),
      userName: z.string(),
      lastLogin: z.string().nullable(),
      flagged: z.string(),
    }),
  ),
});

/** The inactivity review (seeds/004): the account's choice, and who is flagged. */
export function inactivityRoutes(inactivity: InactivityService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/inactivity',
      summary: 'Days without login before a user counts as inactive, what happens then, and who is flagged',
      action: 'users.view',
      responses: {
        200: { description: 'Settings and flagged users', schema: inactivitySchema },
        403: refused,
      },
      handle: async ({ actor }) => {
        const { days, action, flagged } = await inactivity.settings(actor);
        return {
          days,
          action,
          flagged: flagged.map((u) => ({
            userId: u.userId,
            userName: u.userName,
            lastLogin: iso(u.lastLogin),
            flagged: iso(u.flagged) ?? '',
          })),
        };
      },
    }),
    apiRoute({
      method: 'put',
      path: '/inactivity',
      summary: 'Set the days (7-3650) and the action: flag for review, or deactivate (never the Owner)',
      action: 'account.edit_details',
      body: settingsBody,
      responses: { 200: { description: 'The settings', schema: settingsBody }, 400: refused, 403: refused },
      handle: async ({ actor, body }) => inactivity.configure(actor, body),
    }),
  ];
}
