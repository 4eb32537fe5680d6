import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SsfReceiver } from '../../test/support/ssf-receiver';

const accountDisabled = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

export interface SsfPushWatch {
  /** When the verified RISC account-disabled SET about `userId` arrived (Date.now() clock). */
  arrival(userId: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A product receiving Shared Signals by push (RFC 8935): it discovers Roster at `issuer`, creates a
 * push stream for RISC account-disabled with the account's service key, and verifies every SET
 * against the JWKS the metadata names (as test/support/ssf-receiver does) before counting it as
 * arrived. A SET that does not verify, or a push without the stream's authorization header, stops
 * the bench.
 */
export async function startSsfPushWatch(issuer: string, serviceKey: string): Promise<SsfPushWatch> {
  const receiver = await SsfReceiver.discover(issuer, serviceKey);
  const authorization = 'Bearer bench-receiver';
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  let failure: Error | null = null;
  let audience = '';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = Buffer.concat(chunks).toString('utf8');
      void (async () => {
        if (req.headers.authorization !== authorization) throw new Error('push without the stream header');
        if (req.headers['content-type'] !== 'application/secevent+jwt')
          throw new Error(`push as ${req.headers['content-type']}`);
        const set = await receiver.accept(token, audience);
        res.writeHead(202).end();
        if (!set || set.type !== accountDisabled) return;
        const user = (set.payload.sub_id as { user?: { id?: string } }).user?.id ?? '';
        const at = Date.now();
        arrived.set(user, at);
        waiters.get(user)?.(at);
      })().catch((err: unknown) => {
        failure = err instanceof Error ? err : new Error(String(err));
        res.writeHead(400).end();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stream = await receiver.createStream({
    delivery: {
      method: 'urn:ietf:rfc:8935',
      endpoint_url: `http://127.0.0.1:${port}/ssf/push`,
      authorization_header: authorization,
    },
    events_requested: [accountDisabled],
  });
  audience = [stream.aud].flat()[0] as string;

  return {
    arrival: (userId, timeoutMs) => {
      const known = arrived.get(userId);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(userId);
          reject(failure ?? new Error(`no account-disabled SET for ${userId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(userId, (at) => {
          clearTimeout(timer);
          waiters.delete(userId);
          resolve(at);
        });
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
