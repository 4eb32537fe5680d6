/**
 * The load generator: a child process (forked by run.ts) so that the clients' CPU does not come
 * out of the server's event loop. Plain node:http with a keep-alive Agent; traffic only to
 * 127.0.0.1. It runs jobs sent over IPC and answers with their figures.
 */
import http from 'node:http';
import type {
  Job,
  JobReply,
  JobRequest,
  SequenceJob,
  SequenceResult,
  ThroughputJob,
  ThroughputResult,
} from './protocol';

const requestTimeoutMs = 30_000;

interface Answer {
  status: number;
  body: string;
}

function send(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  keepBody: boolean,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
        timeout: requestTimeoutMs,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (keepBody) parts.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + job.durationMs;
  const method = job.method ?? 'GET';
  const client = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const path = job.paths[i % job.paths.length];
      const body = job.bodies?.[i % job.bodies.length];
      try {
        const answer = await send(agent, job.port, method, path, job.headers, body, false);
        if (answer.status !== job.expectStatus) {
          errors++;
          firstError ??= `${method} ${path} answered ${answer.status}`;
        }
      } catch (err) {
        errors++;
        firstError ??= `${method} ${path} failed: ${String(err)}`;
      }
      requests++;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  const elapsedMs = performance.now() - start;
  const clientCpuMs = cpuMs(cpuStart);
  agent.destroy();
  return { kind: 'throughput', requests, errors, firstError, elapsedMs, clientCpuMs };
}

async function sequence(job: SequenceJob): Promise<SequenceResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const keepBody = job.expectBody !== undefined;
  for (const request of job.requests) {
    const start = performance.now();
    try {
      const headers = request.headers ? { ...job.headers, ...request.headers } : job.headers;
      const answer = await send(
        agent,
        job.port,
        request.method,
        request.path,
        headers,
        request.body,
        keepBody,
      );
      latenciesMs.push(performance.now() - start);
      const wrong =
        answer.status !== job.expectStatus ||
        (job.expectBody !== undefined && !answer.body.includes(job.expectBody));
      if (wrong) {
        errors++;
        firstError ??= `${request.method} ${request.path} answered ${answer.status} ${answer.body.slice(0, 300)}`;
      }
    } catch (err) {
      latenciesMs.push(performance.now() - start);
      errors++;
      firstError ??= `${request.method} ${request.path} failed: ${String(err)}`;
    }
  }
  agent.destroy();
  return { kind: 'sequence', latenciesMs, errors, firstError };
}

function run(job: Job): Promise<ThroughputResult | SequenceResult> {
  return job.kind === 'throughput' ? throughput(job) : sequence(job);
}

process.on('message', (message: JobRequest) => {
  run(message.job).then(
    (result) => reply({ id: message.id, result, maxRssKb: process.resourceUsage().maxRSS }),
    (err: unknown) =>
      reply({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

// The bench process went away (finished or crashed): never linger.
process.on('disconnect', () => process.exit(0));

function reply(message: JobReply): void {
  process.send?.(message);
}
