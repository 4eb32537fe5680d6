/**
 * The only error type the domain throws. Each transport maps `kind` to its own status once
 * (adapters/scim/errors.ts, adapters/http/error-middleware.ts); `code` is stable for clients.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition'
  /** Not now: held until someone approves or time passes; the client should retry later. */
  | 'held'
  /** The store cannot be reached (an outage): nothing was changed; the client should retry soon. */
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }

  static invalid(code: string, message: string): DomainError {
    return new DomainError('invalid', code, message);
  }
  static unauthenticated(code: string, message: string): DomainError {
    return new DomainError('unauthenticated', code, message);
  }
  static forbidden(code: string, message: string): DomainError {
    return new DomainError('forbidden', code, message);
  }
  static notFound(code: string, message: string): DomainError {
    return new DomainError('not_found', code, message);
  }
  static conflict(code: string, message: string): DomainError {
    return new DomainError('conflict', code, message);
  }
  static precondition(code: string, message: string): DomainError {
    return new DomainError('precondition', code, message);
  }
  static held(code: string, message: string): DomainError {
    return new DomainError('held', code, message);
  }
  static unavailable(code: string, message: string, cause?: unknown): DomainError {
    return new DomainError('unavailable', code, message, { cause });
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
