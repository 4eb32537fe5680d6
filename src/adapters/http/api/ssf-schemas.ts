import { z } from 'zod';
import type { SsfStream } from '../../../domain/ssf/ssf-ports';
import type { StreamService } from '../../../domain/ssf/stream-service';
import { eventsDelivered } from '../../../domain/ssf/stream-config';
import {
  pollMethod,
  pushMethod,
  streamStatuses,
  subjectFormats,
  supportedEventTypes,
} from '../../../domain/ssf/ssf-vocabulary';

/** Longer descriptions are cut here (SSF §8.1.1: the transmitter MAY truncate them). */
const descriptionLength = 1000;

const streamId = z.string().min(1).max(64).describe('The stream_id Roster gave the stream');
const uri = z.string().min(1).max(255);

const delivery = z
  .strictObject({
    method: z.string().max(64).describe(`${pushMethod} (push) or ${pollMethod} (poll)`),
    endpoint_url: z.string().max(2048).optional().describe('Push: where Roster POSTs each SET'),
    authorization_header: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Push: the Authorization header Roster sends with each SET; stored sealed, never shown'),
  })
  .describe('How SETs reach the receiver; none means poll');

/** Receiver-supplied properties (SSF §8.1.1). */
const receiverFields = {
  events_requested: z.array(uri).max(50).optional(),
  delivery: delivery.optional(),
  description: z
    .string()
    .max(100_000)
    .nullable()
    .optional()
    .transform((d) => (typeof d === 'string' ? d.slice(0, descriptionLength) : d)),
  format: z
    .enum(subjectFormats)
    .optional()
    .describe(
      "How each SET's sub_id names the user (RFC 9493): opaque (Roster's user id, the SCIM id) or email",
    ),
};

/** Transmitter-supplied properties a receiver may echo back: they must match (SSF §8.1.1.3). */
const transmitterFields = {
  iss: z.string().max(2048).optional(),
  aud: z.union([uri, z.array(uri).min(1).max(5)]).optional(),
  events_supported: z.array(uri).max(50).optional(),
  events_delivered: z.array(uri).max(50).optional(),
  min_verification_interval: z.number().int().optional(),
};

export const createStreamBody = z.strictObject({
  ...receiverFields,
  aud: z
    .union([uri, z.array(uri).min(1).max(5)])
    .optional()
    .describe("The SETs' audience, fixed once created; default: the account id"),
});

export const changeStreamBody = z.strictObject({
  stream_id: streamId,
  ...receiverFields,
  ...transmitterFields,
});

export const streamQuery = z.strictObject({ stream_id: streamId.optional() });
export const requiredStreamQuery = z.strictObject({ stream_id: streamId });

export const statusBody = z.strictObject({
  stream_id: streamId,
  status: z.enum(streamStatuses),
  reason: z.string().max(512).optional(),
});

export const verifyBody = z.strictObject({ stream_id: streamId, state: z.string().max(1024).optional() });

/** RFC 8936 §2.4: the poll request. */
export const pollBody = z.strictObject({
  maxEvents: z.number().int().min(0).optional().describe('At most this many SETs (0: only acknowledge)'),
  returnImmediately: z
    .boolean()
    .optional()
    .describe('false (the default): wait a while for SETs when none are waiting (long poll)'),
  ack: z.array(z.string().min(1).max(256)).max(1000).optional(),
  setErrs: z
    .record(
      z.string().min(1).max(256),
      z.strictObject({ err: z.string().max(256), description: z.string().max(2000).optional() }),
    )
    .optional(),
});

export const streamSchema = z.object({
  stream_id: z.string(),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  events_supported: z.array(z.string()),
  events_requested: z.array(z.string()),
  events_delivered: z.array(z.string()),
  delivery: z.object({ method: z.string(), endpoint_url: z.string() }),
  min_verification_interval: z.number(),
  description: z.string().optional(),
  format: z.enum(subjectFormats),
});

export const statusSchema = z.object({
  stream_id: z.string(),
  status: z.enum(streamStatuses),
  reason: z.string().optional(),
});

export const pollAnswerSchema = z.object({
  sets: z.record(z.string(), z.string()).describe('jti → the signed SET (typ secevent+jwt)'),
  moreAvailable: z.boolean(),
});

/** The stream as SSF §8.1.1 shows it; the push endpoint's authorization header never comes back. */
export function streamJson(stream: SsfStream, ssf: StreamService, pollUrl: (id: string) => string) {
  return {
    stream_id: stream.id,
    iss: ssf.settings.issuer,
    aud: stream.audience.length === 1 ? stream.audience[0] : stream.audience,
    events_supported: [...supportedEventTypes],
    events_requested: stream.eventsRequested,
    events_delivered: eventsDelivered(stream),
    delivery:
      stream.delivery.method === 'push'
        ? { method: pushMethod, endpoint_url: stream.delivery.endpointUrl }
        : { method: pollMethod, endpoint_url: pollUrl(stream.id) },
    min_verification_interval: ssf.settings.minVerificationSeconds,
    ...(stream.description === null ? {} : { description: stream.description }),
    format: stream.subjectFormat,
  };
}

export function statusJson(stream: Pick<SsfStream, 'id' | 'status' | 'statusReason'>) {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.statusReason === null ? {} : { reason: stream.statusReason }),
  };
}

type ReceiverBody = z.output<typeof createStreamBody> | z.output<typeof changeStreamBody>;

/** The body's receiver-supplied properties, in the domain's words. */
export function receiverConfig(body: ReceiverBody) {
  return {
    eventsRequested: body.events_requested,
    delivery: body.delivery && {
      method: body.delivery.method,
      endpointUrl: body.delivery.endpoint_url,
      authorization: body.delivery.authorization_header,
    },
    description: body.description,
    format: body.format,
  };
}
