import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type {
  JobReply,
  JobRequest,
  SequenceJob,
  SequenceResult,
  ThroughputJob,
  ThroughputResult,
} from './protocol';

/** The parent's handle on the load-generator child process (loadgen.ts). */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: JobReply) => void; reject: (e: Error) => void }
  >();
  /** The child's peak RSS in KiB, as of its last answer. */
  maxRssKb = 0;

  constructor() {
    this.child = fork(join(__dirname, 'loadgen.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: JobReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.maxRssKb) this.maxRssKb = reply.maxRssKb;
      waiter.resolve(reply);
    });
    this.child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
      }
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  throughput(job: Omit<ThroughputJob, 'kind'>): Promise<ThroughputResult> {
    return this.run({ kind: 'throughput', ...job }) as Promise<ThroughputResult>;
  }

  sequence(job: Omit<SequenceJob, 'kind'>): Promise<SequenceResult> {
    return this.run({ kind: 'sequence', ...job }) as Promise<SequenceResult>;
  }

  private async run(job: JobRequest['job']): Promise<ThroughputResult | SequenceResult> {
    const id = this.nextId++;
    const reply = await new Promise<JobReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job } satisfies JobRequest);
    });
    if (reply.error !== undefined || reply.result === undefined) {
      throw new Error(`load generator failed: ${reply.error ?? 'no result'}`);
    }
    return reply.result;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}
