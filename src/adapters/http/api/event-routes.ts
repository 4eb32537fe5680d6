import { z } from 'zod';
import type { EventsService } from '../../../domain/events/events-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';
import { eventPageSchema } from './event-schemas';

const eventsQuery = z.strictObject({
  after: z.string().optional().describe('The nextCursor of the previous page; absent: the oldest event kept'),
  limit: z.coerce.number().int().optional().describe('1 to 1000; 100 unless given'),
  type: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Only these types: repeated, or comma-separated (user.deactivated,session.ended)'),
});

/** The account's change feed, pulled: what a product reads to learn of changes in order. */
export function eventRoutes(events: EventsService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/events',
      summary:
        "The account's change feed, oldest first: every event after the cursor (docs/events.md), filtered by type",
      action: 'events.read',
      query: eventsQuery,
      responses: {
        200: { description: 'A page of events', schema: eventPageSchema },
        400: {
          description: 'A cursor this feed did not issue, a bad limit or an unknown type',
          schema: errorBody,
        },
        403: { description: 'Refused; the error says why', schema: errorBody },
      },
      handle: ({ actor, query }) =>
        events.list(actor, {
          after: query.after,
          limit: query.limit,
          types: (Array.isArray(query.type) ? query.type : query.type === undefined ? [] : [query.type])
            .flatMap((t) => t.split(','))
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        }),
    }),
  ];
}
