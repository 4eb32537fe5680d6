import type { Response } from 'express';
import type { PollDelivery, PollAnswer } from '../../../domain/ssf/poll-delivery';
import type { StreamService } from '../../../domain/ssf/stream-service';
import { RateLimitedError } from '../rate-limits';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';
import {
  changeStreamBody,
  createStreamBody,
  pollAnswerSchema,
  pollBody,
  receiverConfig,
  requiredStreamQuery,
  statusBody,
  statusJson,
  statusSchema,
  streamJson,
  streamQuery,
  streamSchema,
  verifyBody,
} from './ssf-schemas';

export interface SsfRouteDependencies {
  ssf: StreamService;
  ssfPoll: PollDelivery;
}

export interface SsfRouteOptions {
  /** `${PUBLIC_URL}/api/v1`: the poll endpoints' base. */
  apiBaseUrl: string;
  /** How long a poll without returnImmediately waits for SETs (RFC 8936 §2.4 long poll). */
  longPollMs: number;
}

const refused = { description: 'Refused; the error says why', schema: errorBody };
/** Every route answers this when the server has no key to sign SETs with. */
const off = {
  description: 'Shared Signals is off on this server (no OIDC_KEY_ENCRYPTION_KEY)',
  schema: errorBody,
};
const notFound = { description: 'No such stream for this receiver', schema: errorBody };
const invalid = {
  description: 'Malformed, or a transmitter-supplied property that does not match',
  schema: errorBody,
};
/** SETs waiting when none were: how often a long poll looks again. */
const longPollStepMs = 250;
/** RFC 8936 leaves the batch size to the transmitter when the receiver names none. */
const defaultMaxEvents = 100;
const maxMaxEvents = 1000;

/** SSF §8.1: stream management answers are never cached. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/**
 * The Shared Signals transmitter's management API (SSF §8.1) and poll endpoint (RFC 8936), at
 * the URLs /.well-known/ssf-configuration names. The receiver is the product, with its account's
 * service key; a member with scim.manage_tokens may manage them too.
 */
export function ssfRoutes(deps: SsfRouteDependencies, options: SsfRouteOptions): ApiRoute[] {
  const { ssf } = deps;
  const pollUrl = (id: string) => `${options.apiBaseUrl}/ssf/poll/${encodeURIComponent(id)}`;
  const json = (stream: Parameters<typeof streamJson>[0]) => streamJson(stream, ssf, pollUrl);
  return [
    apiRoute({
      method: 'get',
      path: '/ssf/stream',
      summary: "A stream's configuration (stream_id), or every stream of this receiver (SSF §8.1.1.2)",
      action: 'ssf.view',
      query: streamQuery,
      responses: {
        200: { description: 'The stream, or a list of them', schema: streamSchema.or(streamSchema.array()) },
        403: refused,
        412: off,
        404: notFound,
      },
      handle: async ({ actor, query, res }) => {
        noStore(res);
        if (query.stream_id !== undefined) return json(await ssf.get(actor, query.stream_id));
        return (await ssf.list(actor)).map(json);
      },
    }),
    apiRoute({
      method: 'post',
      path: '/ssf/stream',
      summary: 'Create a stream (SSF §8.1.1.1): push to an endpoint_url, or poll (the default)',
      action: 'ssf.manage',
      body: createStreamBody,
      status: 201,
      responses: {
        201: { description: 'The new stream', schema: streamSchema },
        400: invalid,
        403: refused,
        412: off,
        409: { description: 'The account has as many streams as it may', schema: errorBody },
      },
      handle: async ({ actor, body, res }) => {
        noStore(res);
        const aud = body.aud === undefined ? undefined : [body.aud].flat();
        return json(await ssf.create(actor, { ...receiverConfig(body), aud }));
      },
    }),
    ...(['patch', 'put'] as const).map((method) =>
      apiRoute({
        method,
        path: '/ssf/stream',
        summary:
          method === 'patch'
            ? "Change some of a stream's settings; the rest stay (SSF §8.1.1.3)"
            : "Replace a stream's settings; those left out are removed (SSF §8.1.1.4)",
        action: 'ssf.manage',
        body: changeStreamBody,
        responses: {
          200: { description: 'The stream', schema: streamSchema },
          400: invalid,
          403: refused,
          412: off,
          404: notFound,
        },
        handle: async ({ actor, body, res }) => {
          noStore(res);
          const { stream_id, iss, aud, events_supported, events_delivered, min_verification_interval } = body;
          const claims = { iss, aud, events_supported, events_delivered, min_verification_interval };
          const mode = method === 'patch' ? 'merge' : 'replace';
          return json(await ssf.update(actor, stream_id, receiverConfig(body), claims, mode));
        },
      }),
    ),
    apiRoute({
      method: 'delete',
      path: '/ssf/stream',
      summary: 'Delete a stream and the SETs waiting on it (SSF §8.1.1.5)',
      action: 'ssf.manage',
      query: requiredStreamQuery,
      status: 204,
      responses: { 204: { description: 'Deleted' }, 400: invalid, 403: refused, 412: off, 404: notFound },
      handle: async ({ actor, query, res }) => {
        noStore(res);
        await ssf.delete(actor, query.stream_id);
      },
    }),
    apiRoute({
      method: 'get',
      path: '/ssf/status',
      summary: "A stream's status: enabled, paused or disabled (SSF §8.1.2.1)",
      action: 'ssf.view',
      query: requiredStreamQuery,
      responses: {
        200: { description: 'The status', schema: statusSchema },
        400: invalid,
        403: refused,
        412: off,
        404: notFound,
      },
      handle: async ({ actor, query, res }) => {
        noStore(res);
        return statusJson(await ssf.status(actor, query.stream_id));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/ssf/status',
      summary: 'Enable, pause (SETs are held) or disable (nothing is kept) a stream (SSF §8.1.2.2)',
      action: 'ssf.manage',
      body: statusBody,
      responses: {
        200: { description: 'The new status', schema: statusSchema },
        400: invalid,
        403: refused,
        412: off,
        404: notFound,
      },
      handle: async ({ actor, body, res }) => {
        noStore(res);
        return statusJson(await ssf.setStatus(actor, body.stream_id, body.status, body.reason ?? null));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/ssf/verify',
      summary: 'Ask for a verification event on a stream, carrying `state` back (SSF §8.1.4.2)',
      action: 'ssf.manage',
      body: verifyBody,
      status: 204,
      responses: {
        204: { description: 'Queued' },
        400: invalid,
        403: refused,
        412: off,
        404: notFound,
        429: { description: 'Asked again within min_verification_interval', schema: errorBody },
      },
      handle: async ({ actor, body, res }) => {
        noStore(res);
        const wait = await ssf.verify(actor, body.stream_id, body.state);
        if (wait) {
          throw new RateLimitedError(
            wait.retryAfter,
            `A stream may ask for verification once every ${ssf.settings.minVerificationSeconds} s`,
          );
        }
      },
    }),
    apiRoute({
      method: 'post',
      path: '/ssf/poll/:streamId',
      summary: 'Poll a stream (RFC 8936): acknowledge SETs taken, get those still waiting',
      action: 'ssf.poll',
      body: pollBody,
      responses: {
        200: { description: 'Waiting SETs by jti', schema: pollAnswerSchema },
        400: { description: 'Malformed, or the stream pushes its SETs', schema: errorBody },
        403: refused,
        412: off,
        404: notFound,
      },
      handle: async ({ actor, body, params, res }) => {
        noStore(res);
        const maxEvents = Math.min(body.maxEvents ?? defaultMaxEvents, maxMaxEvents);
        const request = { ack: body.ack ?? [], setErrs: body.setErrs ?? {}, maxEvents };
        let answer: PollAnswer = await deps.ssfPoll.poll(actor, params.streamId, request);
        const deadline = Date.now() + (body.returnImmediately ? 0 : options.longPollMs);
        let gone = false;
        // The receiver hung up: stop looking for it (the response's close fires on a dropped connection).
        res.once('close', () => (gone = true));
        while (Object.keys(answer.sets).length === 0 && maxEvents > 0 && Date.now() < deadline && !gone) {
          await new Promise((resolve) => setTimeout(resolve, longPollStepMs));
          answer = await deps.ssfPoll.poll(actor, params.streamId, { ack: [], setErrs: {}, maxEvents });
        }
        return answer;
      },
    }),
  ];
}
