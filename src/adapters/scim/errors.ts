import { DomainError, type ErrorKind } from '../../domain/errors';
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
} as const satisfies Record<ErrorKind, readonly [number, ScimType | undefined]>;

export interface RenderedError {
  status: number;
  body: ScimErrorBody;
  /** True when the error is ours (a bug or an outage), to be logged with the request id. */
  unexpected: boolean;
}

export function renderScimError(err: unknown, requestId: string): RenderedError {
  if (err instanceof ScimError) return rendered(err.status, err.scimType, err.message);
  if (err instanceof DomainError) {
    const [status, scimType] = byKind[err.kind];
    return rendered(status, scimType, err.message);
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
