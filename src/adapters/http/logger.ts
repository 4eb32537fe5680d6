import pino, { type DestinationStream, type Logger } from 'pino';
import { errorSerializer } from './log-errors';

/**
 * Secrets never reach a log line: request lines carry no headers or bodies (request-context.ts),
 * and these keys are censored wherever an error or object might carry them. Top-level paths
 * only: wildcard redaction runs on every line and cost a tenth of a GET (docs/benchmarks.md).
 * Errors (`err`) from the database lose the statement's values (log-errors.ts).
 */
export const redactedPaths = [
  'authorization',
  'cookie',
  'password',
  'token',
  'secret',
  'scimToken',
  'headers.authorization',
  'headers.cookie',
  'err.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { err: errorSerializer },
    },
    destination,
  );
}
