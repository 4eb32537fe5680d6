/** The default DATABASE_URL: the server's own SQLite file, relative to where it runs. */
export const defaultDatabaseUrl = 'sqlite:data/roster.sqlite';

/**
 * DATABASE_URL as it may be printed: a MySQL/MariaDB password becomes `***` (also in a URL that
 * does not parse, where everything between `//user:` and the last `@` is hidden).
 */
export function safeDatabaseUrl(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return databaseUrl.replace(/^([a-z]+:\/\/[^:@/]*:).*@/i, '$1***@');
  }
}
