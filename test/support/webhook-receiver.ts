import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { RosterEvent } from '../../src/domain/events/event-types';

/** A webhook as the receiver verified it. */
export interface Received {
  webhookId: string;
  timestamp: number;
  signatures: string[];
  type: string;
  event: RosterEvent;
  at: number;
}

/**
 * A product's webhook receiver: a real HTTP server that verifies every request with
 * standardwebhooks' Webhook.verify against the secrets it was given (any one may match, as
 * during a rotation), answers as `respond` says, and keeps what it accepted in arrival order.
 * A request whose signature does not verify is answered 401 and kept in `refused`.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly refused: { headers: IncomingHttpHeaders; reason: string }[] = [];
  /** Status of each request, verified or not, in arrival order. */
  readonly statuses: number[] = [];
  secrets: string[] = [];
  /** Decides the answer to a verified request (default 204). */
  respond: (event: RosterEvent, attempt: number) => number | Promise<number> = () => 204;
  private readonly attempts = new Map<string, number>();
  private waiters: { until: () => boolean; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks/roster'): Promise<WebhookReceiver> {
    const ref: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void ref.receiver!.handle(req.headers, Buffer.concat(chunks).toString('utf8')).then((status) => {
          ref.receiver!.statuses.push(status);
          res.writeHead(status).end();
          ref.receiver!.notify();
        });
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    return ref.receiver;
  }

  private async handle(headers: IncomingHttpHeaders, body: string): Promise<number> {
    const header = (name: string) => String(headers[name] ?? '');
    let payload: { type: string; timestamp: string; data: RosterEvent } | undefined;
    let reason = 'no secret';
    for (const secret of this.secrets) {
      try {
        payload = new Webhook(secret).verify(body, {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        }) as typeof payload;
        break;
      } catch (err) {
        reason = (err as Error).message;
      }
    }
    if (!payload) {
      this.refused.push({ headers, reason });
      return 401;
    }
    const id = header('webhook-id');
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const status = await this.respond(payload.data, attempt);
    if (status >= 200 && status < 300) {
      this.received.push({
        webhookId: id,
        timestamp: Number(header('webhook-timestamp')),
        signatures: header('webhook-signature').split(' '),
        type: payload.type,
        event: payload.data,
        at: Date.now(),
      });
    }
    return status;
  }

  /** How many times a webhook-id was sent (accepted or not). */
  attemptsOf(webhookId: string): number {
    return this.attempts.get(webhookId) ?? 0;
  }

  /** Resolves once `until` holds (checked after each request); fails after `timeoutMs`. */
  waitFor(until: () => boolean, timeoutMs = 15_000, what = 'the webhooks'): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`Timed out waiting for ${what} (received ${this.received.length})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ until, resolve: done });
    });
  }

  /** Accepted webhooks of one type. */
  ofType(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.until());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
