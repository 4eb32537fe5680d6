import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * A fast webhook receiver on a thread of its own (as a product's receiver runs elsewhere): it
 * answers 204 at once, counts distinct webhook-ids, and verifies every 50th signature with
 * standardwebhooks (a wrong one stops the bench).
 */
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const { Webhook } = require(workerData.standardwebhooks);
const webhook = new Webhook(workerData.secret);
const seen = new Set();
let requests = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    requests += 1;
    const id = String(req.headers['webhook-id']);
    if (requests % 50 === 0) {
      try {
        webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers);
      } catch (err) {
        parentPort.postMessage({ error: String(err) });
      }
    }
    seen.add(id);
    res.writeHead(204).end();
    if (seen.size % 100 === 0 || seen.size === workerData.expect) parentPort.postMessage({ distinct: seen.size, requests });
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export interface FastReceiver {
  url: string;
  /** Resolves when `count` distinct webhook-ids have arrived; with the number of requests. */
  done: Promise<{ distinct: number; requests: number }>;
  stop(): Promise<void>;
}

export async function startFastReceiver(secret: string, count: number): Promise<FastReceiver> {
  const worker = new Worker(source, {
    eval: true,
    workerData: { secret, expect: count, standardwebhooks: require.resolve('standardwebhooks') },
  });
  const [first] = (await once(worker, 'message')) as [{ port: number }];
  const done = new Promise<{ distinct: number; requests: number }>((resolve, reject) => {
    worker.on('message', (m: { distinct?: number; requests?: number; error?: string }) => {
      if (m.error) reject(new Error(`a webhook did not verify: ${m.error}`));
      else if (m.distinct !== undefined && m.distinct >= count)
        resolve({ distinct: m.distinct, requests: m.requests ?? 0 });
    });
    worker.on('error', reject);
  });
  return {
    url: `http://127.0.0.1:${first.port}/fast`,
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}
