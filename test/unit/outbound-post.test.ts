import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embeddedIpv4, isInternalAddress } from '../../src/adapters/outbound/address-policy';
import { OutboundError, postBounded, type BoundedPost } from '../../src/adapters/outbound/post';

/** A real receiver on loopback; each test says how it answers. */
async function receiver(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits += 1;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const init = (over: Partial<BoundedPost> = {}): BoundedPost => ({
  headers: { 'content-type': 'application/json' },
  body: '{"hello":"world"}',
  timeoutMs: 2_000,
  maxResponseBytes: 1024,
  allowPrivate: true,
  ...over,
});

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('postBounded', () => {
  it('posts the body with its headers and returns the status and answer', async () => {
    const seen: { body?: string; type?: string } = {};
    const r = await receiver((req, res, body) => {
      seen.body = body;
      seen.type = req.headers['content-type'];
      res.writeHead(202).end('thanks');
    });
    try {
      const answer = await postBounded(r.url, init());
      expect(answer).toEqual({ status: 202, body: 'thanks', truncated: false });
      expect(seen).toEqual({ body: '{"hello":"world"}', type: 'application/json' });
    } finally {
      await r.close();
    }
  });

  it('refuses loopback, written or resolved, unless private targets are allowed', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    const port = new URL(r.url).port;
    try {
      for (const url of [
        r.url,
        `http://[::1]:${port}/hook`,
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        `http://[::ffff:7f00:1]:${port}/hook`,
        `http://localhost:${port}/hook`,
        `http://2130706433:${port}/hook`,
      ]) {
        const err = await refusal(postBounded(url, init({ allowPrivate: false })));
        expect(err.code).toBe('refused_address');
      }
      expect(r.hits()).toBe(0);
      await postBounded(`http://localhost:${port}/hook`, init({ allowPrivate: true }));
      expect(r.hits()).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('never follows a redirect: the 3xx is the answer and its Location is not visited', async () => {
    const elsewhere = await receiver((_req, res) => res.writeHead(200).end('followed'));
    const r = await receiver((_req, res) => res.writeHead(307, { location: elsewhere.url }).end());
    try {
      const answer = await postBounded(r.url, init());
      expect(answer.status).toBe(307);
      expect(elsewhere.hits()).toBe(0);
    } finally {
      await r.close();
      await elsewhere.close();
    }
  });

  it('gives up after the timeout when the receiver never answers', async () => {
    const r = await receiver(() => undefined);
    try {
      const started = Date.now();
      const err = await refusal(postBounded(r.url, init({ timeoutMs: 300 })));
      expect(err.code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await r.close();
    }
  });

  it('reads at most maxResponseBytes of a huge answer and stops downloading', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const r = await receiver((_req, res) => {
      res.writeHead(200);
      const pump = () => {
        // 200 MiB unless the client goes away first.
        while (written < 200 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (written = Number.POSITIVE_INFINITY));
      pump();
    });
    try {
      const answer = await postBounded(r.url, init({ maxResponseBytes: 1000, timeoutMs: 5_000 }));
      expect(answer.status).toBe(200);
      expect(answer.truncated).toBe(true);
      expect(answer.body).toHaveLength(1000);
    } finally {
      await r.close();
    }
  });

  it('refuses what is not an http(s) URL, and reports a closed port as a network error', async () => {
    expect((await refusal(postBounded('file:///etc/passwd', init()))).code).toBe('invalid_url');
    expect((await refusal(postBounded('not a url', init()))).code).toBe('invalid_url');
    const r = await receiver((_req, res) => res.end());
    const url = r.url;
    await r.close();
    expect((await refusal(postBounded(url, init()))).code).toBe('network');
  });
});

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fd12:3456::1',
    'fc00::1',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'not-an-address',
  ])('%s is internal', (address) => expect(isInternalAddress(address)).toBe(true));

  it.each(['93.184.216.34', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '::ffff:1.1.1.1'])(
    '%s is public',
    (address) => expect(isInternalAddress(address)).toBe(false),
  );

  it('finds the IPv4 host inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIpv4('64:ff9b::a00:1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2002:c0a8:1::1')).toBe('192.168.0.1');
    expect(embeddedIpv4('2606:4700::1111')).toBeNull();
  });
});
