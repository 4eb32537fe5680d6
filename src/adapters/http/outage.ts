/**
 * When a client should come back after the database was unreachable (Retry-After, seconds): soon,
 * since Roster reconnects by itself; Okta and Entra retry on their own schedule anyway.
 */
export const retryOutageAfterSeconds = 10;
