import express, { type RequestHandler } from 'express';

/**
 * The deepest JSON a request body may have. A SCIM PATCH is about 6 levels deep, an admin API body 3;
 * the limit keeps every recursive walk after parsing (ours, scimmy's, structuredClone) shallow.
 */
export const maxJsonDepth = 32;

/** Thrown from the body parser's `verify` hook; rendered as a 400 by each transport. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  constructor(readonly limit: number) {
    super(`The JSON body is nested deeper than ${limit} levels`);
    this.name = 'JsonTooDeepError';
  }
}

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the raw JSON text nests arrays and objects deeper than `limit`. One pass over the
 * bytes, skipping strings, before JSON.parse builds anything: a 50,000-level body costs a scan,
 * not a stack overflow. (UTF-8 continuation bytes never equal these ASCII codes.)
 */
export function nestsDeeperThan(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
  return false;
}

/** express.json with the depth check on the raw body (body-parser's `verify` runs before JSON.parse). */
export function jsonBody(options: { limit: number | string; type?: string[] }): RequestHandler {
  return express.json({
    ...options,
    verify: (_req, _res, body) => {
      if (nestsDeeperThan(body, maxJsonDepth)) throw new JsonTooDeepError(maxJsonDepth);
    },
  });
}
