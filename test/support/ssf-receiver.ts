import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { freePort } from './idp-server';

/** JSON as a test reads it. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a Shared Signals receiver learns from /.well-known/ssf-configuration. */
export interface TransmitterMetadata {
  issuer: string;
  jwks_uri: string;
  configuration_endpoint: string;
  status_endpoint: string;
  verification_endpoint: string;
  delivery_methods_supported: string[];
}

export interface ReceivedSet {
  jti: string;
  payload: JWTPayload & { sub_id: Record<string, unknown>; events: Record<string, Record<string, unknown>> };
  /** The single event type of the SET (SSF §4.2: one event per SET). */
  type: string;
  event: Record<string, unknown>;
}

/**
 * A product receiving Shared Signals as the specifications tell it to: it discovers the transmitter,
 * verifies every SET against the JWKS the metadata names (signature, typ secevent+jwt, issuer,
 * audience, no sub, no exp), and processes each jti once: a SET it saw already (a redelivery) is
 * counted as a duplicate and not processed again.
 */
export class SsfReceiver {
  readonly received: ReceivedSet[] = [];
  duplicates = 0;
  private readonly seen = new Set<string>();
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  private constructor(
    readonly metadata: TransmitterMetadata,
    private readonly serviceKey: string,
  ) {
    this.jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  }

  /** Discovers the transmitter at `issuer` (SSF §7.2) and checks the issuer it states. */
  static async discover(issuer: string, serviceKey: string): Promise<SsfReceiver> {
    const res = await fetch(`${issuer}/.well-known/ssf-configuration`);
    if (res.status !== 200) throw new Error(`ssf-configuration answered ${res.status}`);
    const metadata = (await res.json()) as TransmitterMetadata;
    if (metadata.issuer !== issuer) throw new Error(`issuer ${metadata.issuer} is not ${issuer}`);
    return new SsfReceiver(metadata, serviceKey);
  }

  /** A call to the management API with the service key. */
  async call(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${this.serviceKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async createStream(body: unknown): Promise<Json> {
    const res = await this.call('POST', this.metadata.configuration_endpoint, body);
    if (res.status !== 201) throw new Error(`create stream: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.iss !== this.metadata.issuer) throw new Error('the stream names another issuer');
    return res.body;
  }

  /**
   * Verifies one SET as a receiver must; returns it, or null when its jti was processed already.
   * Throws when anything about it is wrong.
   */
  async accept(token: string, audience: string): Promise<ReceivedSet | null> {
    const { payload, protectedHeader } = await jwtVerify(token, this.jwks, {
      issuer: this.metadata.issuer,
      audience,
      typ: 'secevent+jwt',
    });
    if (protectedHeader.alg !== 'RS256') throw new Error(`unexpected alg ${protectedHeader.alg}`);
    if (payload.sub !== undefined || payload.exp !== undefined)
      throw new Error('an SSF SET has no sub, no exp');
    if (typeof payload.jti !== 'string' || typeof payload.iat !== 'number')
      throw new Error('jti and iat missing');
    const events = payload.events as Record<string, Record<string, unknown>>;
    const types = Object.keys(events ?? {});
    if (types.length !== 1) throw new Error(`a SET carries one event, not ${types.length}`);
    if (this.seen.has(payload.jti)) {
      this.duplicates += 1;
      return null;
    }
    this.seen.add(payload.jti);
    const set = { jti: payload.jti, payload, type: types[0], event: events[types[0]] } as ReceivedSet;
    this.received.push(set);
    return set;
  }

  /** One RFC 8936 poll; verifies and records every SET in the answer. */
  async poll(
    stream: Json,
    body: Record<string, unknown> = { returnImmediately: true },
  ): Promise<{ status: number; sets: ReceivedSet[]; jtis: string[]; moreAvailable: boolean; raw: Json }> {
    const res = await this.call('POST', stream.delivery.endpoint_url, body);
    if (res.status !== 200)
      return { status: res.status, sets: [], jtis: [], moreAvailable: false, raw: res.body };
    const audience = [stream.aud].flat()[0];
    const sets: ReceivedSet[] = [];
    for (const [jti, token] of Object.entries(res.body.sets as Record<string, string>)) {
      if (decodeJwt(token).jti !== jti) throw new Error('a poll answer keys each SET by its own jti');
      const set = await this.accept(token, audience);
      if (set) sets.push(set);
    }
    return {
      status: 200,
      sets,
      jtis: Object.keys(res.body.sets),
      moreAvailable: res.body.moreAvailable === true,
      raw: res.body,
    };
  }
}

/** A push endpoint (RFC 8935): records every SET it is sent, and answers 202 or as told to. */
export class PushEndpoint {
  readonly requests: {
    path: string;
    contentType: string | undefined;
    authorization: string | undefined;
    body: string;
    status: number;
  }[] = [];
  private readonly failures = new Map<string, number>();
  private constructor(
    readonly url: string,
    private readonly server: Server,
  ) {}

  static async start(): Promise<PushEndpoint> {
    const port = await freePort();
    let self: PushEndpoint | null = null;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        const failing = self!.failures.get(path) ?? 0;
        if (failing > 0) self!.failures.set(path, failing - 1);
        const status = failing > 0 ? 500 : 202;
        self!.requests.push({
          path,
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
          body,
          status,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
    self = new PushEndpoint(`http://localhost:${port}/ssf`, server);
    return self;
  }

  /** The next `count` pushes to `path` get 500. */
  failNext(path: string, count: number): void {
    this.failures.set(path, count);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
