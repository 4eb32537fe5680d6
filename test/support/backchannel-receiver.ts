import { createServer, type Server } from 'node:http';
import { freePort } from './idp-server';

/** A product's back-channel logout endpoint: collects the logout tokens Roster posts. */
export class Receiver {
  readonly tokens: string[] = [];
  private constructor(
    readonly url: string,
    private readonly server: Server,
  ) {}

  /** `failFirst`: answers that many requests with a 503 (a product restarting) before taking tokens. */
  static async start(failFirst = 0): Promise<Receiver> {
    const port = await freePort();
    let self: Receiver | null = null;
    let failures = failFirst;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          return void res.writeHead(503).end();
        }
        const token = new URLSearchParams(body).get('logout_token');
        if (token) self?.tokens.push(token);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
    self = new Receiver(`http://localhost:${port}/backchannel`, server);
    return self;
  }

  async next(count: number, timeoutMs = 5_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (this.tokens.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    if (this.tokens.length < count) throw new Error(`no logout token arrived within ${timeoutMs} ms`);
    return this.tokens[count - 1];
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
