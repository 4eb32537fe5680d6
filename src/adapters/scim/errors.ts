import { DomainError, type ErrorKind } from '../../domain/errors';
import { RateLimitedError } from '../http/rate-limits';
import { retryOutageAfterSeconds } from '../http/outage';
import { requestRefusalOf } from '../http/request-refusals';
import { ERROR_URN } from './schemas';
import { ScimError, type ScimType } from './scim-error';

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** The one place where a domain error kind becomes a SCIM status (R5). */
const byKind = {
  invalid: [400, 'invalidValue'],
  unauthenticated: [401, undefined],
  forbidden: [403, undefined],
  not_found: [404, undefined],
  conflict: [409, 'uniqueness'],
  precondition: [412, undefined],
  // Okta and Entra retry a 503 later (Entra on its next cycle): the held change is not lost.
  held: [503, undefined],
  // The database is down: nothing changed, and the IdP's retry will find it back.
  unavailable: [503, undefined],
} as const satisfies Record<ErrorKind, readonly [number, ScimType | undefined]>;

/** When the client should try again (Retry-After, seconds): a held change later, an outage soon. */
const retryAfterByKind: Partial<Record<ErrorKind, number>> = {
  held: 600,
  unavailable: retryOutageAfterSeconds,
};

export interface RenderedError {
  status: number;
  body: ScimErrorBody;
  /** True when the error is ours (a bug), to be logged with the request id. */
  unexpected: boolean;
  /** Seconds for the Retry-After header (429, 503). */
  retryAfterSeconds?: number;
}

export function renderScimError(err: unknown, requestId: string): RenderedError {
  if (err instanceof ScimError) return rendered(err.status, err.scimType, err.message);
  if (err instanceof RateLimitedError) {
    return { ...rendered(429, undefined, err.message), retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof DomainError) {
    const [status, scimType] = byKind[err.kind];
    return { ...rendered(status, scimType, err.message), retryAfterSeconds: retryAfterByKind[err.kind] };
  }
  const bodyError = bodyParserError(err);
  if (bodyError) return bodyError;
  return {
    ...rendered(500, undefined, `Internal error; quote request id ${requestId} when reporting it`),
    unexpected: true,
  };
}

function rendered(status: number, scimType: ScimType | undefined, detail: string): RenderedError {
  const body: ScimErrorBody = { schemas: [ERROR_URN], status: String(status), detail };
  if (scimType) body.scimType = scimType;
  return { status, body, unexpected: false };
}

/** Malformed requests refused before a handler ran (body, encoding, path): never a 500. */
function bodyParserError(err: unknown): RenderedError | null {
  const refusal = requestRefusalOf(err);
  if (refusal === null) return null;
  return rendered(refusal.status, refusal.status === 400 ? 'invalidSyntax' : undefined, refusal.message);
}
