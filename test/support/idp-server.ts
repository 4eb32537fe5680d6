import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestIdp, type ResponseOptions } from './test-idp';

/** Who the IdP signs in next, and how (the test sets it before each browser login). */
export interface IdpSignIn {
  nameId: string;
  options?: Partial<ResponseOptions>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A free TCP port on localhost (to give Roster its PUBLIC_URL before it listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The test IdP served on localhost for the browser test: GET /sso receives the AuthnRequest
 * (HTTP-Redirect binding) and answers with the page a real IdP shows after sign-in, a form that
 * posts the signed response to the ACS by itself (HTTP-POST binding), with the RelayState.
 */
export class IdpServer {
  next: IdpSignIn | null = null;

  private constructor(
    readonly idp: TestIdp,
    private readonly server: Server,
  ) {}

  static async start(audience: (acsUrl: string) => string): Promise<IdpServer> {
    const port = await freePort();
    const idp = await TestIdp.start('browser-idp', `http://localhost:${port}/sso`);
    let self: IdpServer | null = null;
    const server = createServer((req, res) => {
      const location = `http://localhost:${port}${req.url ?? '/'}`;
      const signIn = self?.next;
      if (!req.url?.startsWith('/sso?') || !signIn) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no sign-in prepared');
        return;
      }
      const request = idp.readRequest(location);
      const samlResponse = idp.response({
        nameId: signIn.nameId,
        acsUrl: request.acsUrl,
        audience: audience(request.acsUrl),
        inResponseTo: request.id,
        now: Date.now(),
        ...signIn.options,
      });
      const relay = request.relayState
        ? `<input type="hidden" name="RelayState" value="${escapeHtml(request.relayState)}">`
        : '';
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><html><body onload="document.forms[0].submit()">` +
            `<form method="post" action="${escapeHtml(request.acsUrl)}">` +
            `<input type="hidden" name="SAMLResponse" value="${samlResponse}">${relay}` +
            `<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
        );
    });
    await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
    self = new IdpServer(idp, server);
    return self;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
