import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Wall-clock milliseconds from sending to the end of the body. */
  elapsedMs: number;
}

export interface RawServer {
  send(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<RawResponse>;
  close(): Promise<void>;
}

/**
 * The app on a real port, and a client that sends the path exactly as given: supertest and fetch
 * would re-encode a path such as `/Users/%ff` before it reaches the server.
 */
/** Characters http.request refuses in a path (non-ASCII, spaces) as UTF-8 percent-escapes; the rest as given. */
function printable(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
  );
}

export async function listen(app: Express): Promise<RawServer> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    send: (method, path, headers = {}, body) =>
      new Promise<RawResponse>((resolve, reject) => {
        const started = performance.now();
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method,
            path: printable(path),
            headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                text: Buffer.concat(chunks).toString('utf8'),
                elapsedMs: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
