import { z } from 'zod';
import type { Delivery } from '../../../domain/delivery/delivery-ports';
import type { WebhookEndpoint, WebhookService } from '../../../domain/delivery/webhook-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };
const notFound = { description: 'No such webhook endpoint on this account', schema: errorBody };

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  /** Null: every event type. */
  eventTypes: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  description: z.string(),
  created: z.string(),
  updated: z.string(),
  /** Why Roster disabled it (no delivery accepted for too long); null otherwise. */
  disabledReason: z.string().nullable(),
  /** Since when every attempt has failed; null when the last one was accepted. */
  failingSince: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  /** The secrets that sign deliveries now (two during a rotation's overlap); never the secret itself. */
  secrets: z.array(z.object({ id: z.string(), created: z.string(), expires: z.string().nullable() })),
});

export const deliverySchema = z.object({
  id: z.string(),
  /** The webhook-id header: the event's id, the same on every retry and replay. */
  webhookId: z.string(),
  eventType: z.string(),
  /** The event's position in the feed (replay takes ranges of these). */
  position: z.number().int(),
  subject: z.object({ type: z.string(), id: z.string() }),
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']),
  attempts: z.number().int(),
  created: z.string(),
  nextAttemptAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  /** The HTTP status of the last answer; null when there was none (timeout, refused address, network). */
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

const withSecret = z.object({
  webhook: webhookSchema,
  /** The signing secret (`whsec_…`), shown this once. */
  secret: z.string(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function webhookJson(w: WebhookEndpoint): z.infer<typeof webhookSchema> {
  return {
    id: w.id,
    url: w.url,
    eventTypes: w.eventTypes ? [...w.eventTypes] : null,
    enabled: w.enabled,
    description: w.description,
    created: new Date(w.created).toISOString(),
    updated: new Date(w.updated).toISOString(),
    disabledReason: w.disabledReason,
    failingSince: iso(w.failingSince),
    lastSuccessAt: iso(w.lastSuccessAt),
    secrets: w.secrets.map((s) => ({
      id: s.id,
      created: new Date(s.created).toISOString(),
      expires: iso(s.expires),
    })),
  };
}

export function deliveryJson(d: Delivery): z.infer<typeof deliverySchema> {
  return {
    id: d.id,
    webhookId: d.event.id,
    eventType: d.event.type,
    position: d.event.position,
    subject: { type: d.event.subject.type, id: d.event.subject.id },
    status: d.status,
    attempts: d.attempts,
    created: new Date(d.created).toISOString(),
    nextAttemptAt: d.status === 'pending' ? new Date(d.nextAttemptAt).toISOString() : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
  };
}

const eventTypes = z.array(z.string().min(1).max(64)).max(100).nullable();

const createBody = z.strictObject({
  url: z.string().min(1).max(2048),
  eventTypes: eventTypes.optional(),
  description: z.string().max(200).optional(),
  enabled: z.boolean().optional(),
});

const updateBody = createBody.partial();

const deliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']).optional(),
  /** The position of the last delivery of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * The account's webhook endpoints (docs/webhooks.md): the product's backend manages its own with
 * the service key. Operator-wide endpoints are the CLI's (`roster webhooks --all-accounts`).
 */
export function webhookRoutes(webhooks: WebhookService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/webhooks',
      summary: "The account's webhook endpoints, oldest first (never a secret)",
      action: 'webhooks.view',
      responses: {
        200: { description: 'The endpoints', schema: z.object({ webhooks: z.array(webhookSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({ webhooks: (await webhooks.list(actor, 'account')).map(webhookJson) }),
    }),
    apiRoute({
      method: 'post',
      path: '/webhooks',
      summary: 'Add an endpoint: URL, event types (none: all); its signing secret is shown this once',
      action: 'webhooks.manage',
      status: 201,
      body: createBody,
      responses: {
        201: { description: 'The endpoint and its secret', schema: withSecret },
        400: refused,
        403: refused,
      },
      handle: async ({ actor, body }) => {
        const { endpoint, secret } = await webhooks.create(actor, 'account', body);
        return { webhook: webhookJson(endpoint), secret };
      },
    }),
    apiRoute({
      method: 'get',
      path: '/webhooks/:webhookId',
      summary: 'One endpoint',
      action: 'webhooks.view',
      responses: { 200: { description: 'The endpoint', schema: webhookSchema }, 403: refused, 404: notFound },
      handle: async ({ actor, params }) =>
        webhookJson(await webhooks.get(actor, 'account', params.webhookId)),
    }),
    apiRoute({
      method: 'put',
      path: '/webhooks/:webhookId',
      summary: 'Change the URL, event types, description, or turn it on or off (what is given)',
      action: 'webhooks.manage',
      body: updateBody,
      responses: {
        200: { description: 'The endpoint', schema: webhookSchema },
        400: refused,
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, body }) =>
        webhookJson(await webhooks.update(actor, 'account', params.webhookId, body)),
    }),
    apiRoute({
      method: 'delete',
      path: '/webhooks/:webhookId',
      summary: 'Delete the endpoint, its secrets and its delivery log',
      action: 'webhooks.manage',
      status: 204,
      responses: { 204: { description: 'Deleted' }, 403: refused, 404: notFound },
      handle: async ({ actor, params }) => {
        await webhooks.delete(actor, 'account', params.webhookId);
        return undefined;
      },
    }),
    apiRoute({
      method: 'post',
      path: '/webhooks/:webhookId/rotate-secret',
      summary: 'A new signing secret, shown once; the old one keeps signing too for overlapSeconds',
      action: 'webhooks.manage',
      body: z.strictObject({
        overlapSeconds: z
          .number()
          .int()
          .min(0)
          .max(30 * 86_400)
          .optional(),
      }),
      responses: {
        200: { description: 'The endpoint and its new secret', schema: withSecret },
        400: refused,
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, body }) => {
        const { endpoint, secret } = await webhooks.rotateSecret(
          actor,
          'account',
          params.webhookId,
          body.overlapSeconds,
        );
        return { webhook: webhookJson(endpoint), secret };
      },
    }),
    apiRoute({
      method: 'get',
      path: '/webhooks/:webhookId/deliveries',
      summary:
        'The delivery log: each event sent (or to send), newest first, with attempts and the last answer',
      action: 'webhooks.view',
      query: deliveriesQuery,
      responses: {
        200: {
          description: 'A page of deliveries',
          schema: z.object({ deliveries: z.array(deliverySchema), nextBefore: z.number().int().nullable() }),
        },
        400: refused,
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, query }) => {
        const page = await webhooks.deliveries(actor, 'account', params.webhookId, {
          status: query.status,
          beforePosition: query.before,
          limit: query.limit,
        });
        const last = page.length === query.limit ? page[page.length - 1] : undefined;
        return { deliveries: page.map(deliveryJson), nextBefore: last ? last.event.position : null };
      },
    }),
    apiRoute({
      method: 'post',
      path: '/webhooks/:webhookId/replay',
      summary: 'Send the events at feed positions from..to again (same webhook-id), in order per subject',
      action: 'webhooks.manage',
      body: z.strictObject({ from: z.number().int().min(1), to: z.number().int().min(1) }),
      responses: {
        200: {
          description:
            'How many deliveries went back to pending, and how many the endpoint never had were queued',
          schema: z.object({ requeued: z.number().int(), queued: z.number().int() }),
        },
        400: refused,
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, body }) => webhooks.replay(actor, 'account', params.webhookId, body),
    }),
  ];
}
