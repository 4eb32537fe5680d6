/** The default DATABASE_URL: the server's own SQLite file, relative to where it runs. */
export const defaultDatabaseUrl = 'sqlite:data/roster.sqlite';

/**
 * A URL as it may be printed: a password (between the `:` after the user and the last `@`)
 * becomes `***`, whether the URL is well formed or not (`mysql:/user:pw@db` must not leak either).
 */
export function safeDatabaseUrl(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  const at = databaseUrl.lastIndexOf('@');
  // The first colon ends the scheme; the next one, if before the @, starts the password.
  const colon = databaseUrl.indexOf(':', databaseUrl.indexOf(':') + 1);
  if (at < 0 || colon < 0 || colon > at) return databaseUrl;
  return `${databaseUrl.slice(0, colon + 1)}***${databaseUrl.slice(at)}`;
}
