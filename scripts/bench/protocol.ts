/** Messages between the bench process (servers) and the load-generator child (clients). */

export interface ThroughputJob {
  kind: 'throughput';
  port: number;
  /** GET unless given; a POST sends `bodies` (round-robin) as JSON. */
  method?: 'GET' | 'POST' | 'PATCH';
  /** Request paths, used round-robin by the clients. */
  paths: string[];
  bodies?: string[];
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  expectStatus: number;
}

export interface SequenceRequest {
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  body?: string;
  /** Added to the job's headers for this request (e.g. another account's bearer token). */
  headers?: Record<string, string>;
}

export interface SequenceJob {
  kind: 'sequence';
  port: number;
  headers: Record<string, string>;
  /** Sent one after another on one keep-alive connection; each is timed on its own. */
  requests: SequenceRequest[];
  expectStatus: number;
  /** When set, a 2xx answer whose body lacks this text counts as wrong. */
  expectBody?: string;
}

export type Job = ThroughputJob | SequenceJob;

export interface ThroughputResult {
  kind: 'throughput';
  requests: number;
  /** Answers with another status than expected, or transport errors. */
  errors: number;
  firstError?: string;
  elapsedMs: number;
  /** CPU time the load generator used (user + system), to tell whether it was the bottleneck. */
  clientCpuMs: number;
}

export interface SequenceResult {
  kind: 'sequence';
  /** Milliseconds, one per request, in order. */
  latenciesMs: number[];
  errors: number;
  firstError?: string;
}

export type JobResult = ThroughputResult | SequenceResult;

export interface JobReply {
  id: number;
  result?: JobResult;
  error?: string;
  maxRssKb?: number;
}

export interface JobRequest {
  id: number;
  job: Job;
}
