import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isInternalAddress } from './address-policy';

export interface BoundedPost {
  headers: Record<string, string>;
  body: string;
  /** The whole attempt: connecting, sending, the answer and its body. */
  timeoutMs: number;
  /** Read at most this much of the answer; the rest is dropped and the connection closed. */
  maxResponseBytes: number;
  /** Let the request reach loopback and private networks (OUTBOUND_ALLOW_PRIVATE; tests). */
  allowPrivate: boolean;
}

export interface BoundedAnswer {
  status: number;
  /** The answer's body as text, cut at maxResponseBytes. */
  body: string;
  /** The body was longer than maxResponseBytes. */
  truncated: boolean;
}

export type OutboundFailure = 'invalid_url' | 'refused_address' | 'timeout' | 'network';

/** Why a request never got an answer; `message` is safe to show the endpoint's owner. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundFailure,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

// Connections are kept for the next delivery to the same receiver (a busy endpoint gets many).
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 };
const httpAgent = new HttpAgent(agentOptions);
const httpsAgent = new HttpsAgent(agentOptions);

/**
 * POSTs `body` to `url` as the operator bounded it: http(s) only; never follows a redirect (a 3xx
 * is the answer); refuses loopback, private, link-local and unique-local addresses, judged on the
 * address the name resolves to at connect time, so DNS cannot point the request inside (unless
 * allowPrivate); gives up after timeoutMs; reads at most maxResponseBytes of the answer.
 * Throws OutboundError when there is no answer.
 */
export function postBounded(url: string, init: BoundedPost): Promise<BoundedAnswer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new OutboundError('invalid_url', 'The URL is not a valid absolute URL'));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new OutboundError('invalid_url', 'Only http and https URLs are allowed'));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // An address written in the URL is never looked up: judge it here.
  if (isIP(host) !== 0 && !init.allowPrivate && isInternalAddress(host)) {
    return Promise.reject(refusedAddress(host));
  }
  const secure = target.protocol === 'https:';
  return new Promise<BoundedAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, answer?: BoundedAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer as BoundedAnswer);
    };
    const request = (secure ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
      agent: secure ? httpsAgent : httpAgent,
      lookup: init.allowPrivate ? undefined : guardedLookup,
    });
    const timer = setTimeout(() => {
      finish(new OutboundError('timeout', `No complete answer within ${init.timeoutMs} ms`));
      request.destroy();
    }, init.timeoutMs);
    request.on('error', (err) => finish(err instanceof OutboundError ? err : networkError(err)));
    request.on('response', (response) => readBounded(response, init.maxResponseBytes, finish));
    request.end(init.body);
  });
}

function readBounded(
  response: IncomingMessage,
  limit: number,
  finish: (error: Error | null, answer?: BoundedAnswer) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const done = () =>
    finish(null, {
      status: response.statusCode ?? 0,
      body: Buffer.concat(chunks).toString('utf8'),
      truncated,
    });
  response.on('data', (chunk: Buffer) => {
    if (truncated) return;
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size = limit;
      truncated = true;
      // The rest is never read: the socket goes, so a receiver cannot make us download gigabytes.
      done();
      response.destroy();
      return;
    }
    chunks.push(chunk);
    size += chunk.length;
  });
  response.on('end', done);
  response.on('error', (err) => finish(networkError(err)));
}

/** dns.lookup, refusing every answer that is an internal address (all of them are checked). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const internal = addresses.find((a) => isInternalAddress(a.address));
    if (internal || addresses.length === 0) {
      return callback(refusedAddress(internal?.address ?? hostname), '', 0);
    }
    if (options.all) return callback(null, addresses as unknown as string, 0);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};

function refusedAddress(address: string): OutboundError {
  return new OutboundError(
    'refused_address',
    `Refused: ${address} is a loopback, private or link-local address (OUTBOUND_ALLOW_PRIVATE is off)`,
  );
}

function networkError(err: Error): OutboundError {
  const code = (err as NodeJS.ErrnoException).code;
  return new OutboundError('network', code ? `${code}: ${err.message}` : err.message);
}
