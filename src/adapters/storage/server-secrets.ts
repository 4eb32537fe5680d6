import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dialectOf, insertIgnore } from './dialect';

/**
 * The server's key named `name` (32 random bytes), made by whichever instance asks first: the
 * insert is ignored when another instance already stored one, and everyone reads the stored row.
 */
export async function serverSecret(dataSource: DataSource, name: string): Promise<Buffer> {
  await dataSource.query(
    `${insertIgnore(dialectOf(dataSource))} INTO server_secrets (name, secret, created_at) VALUES (?, ?, ?)`,
    [name, randomBytes(32).toString('base64'), Date.now()],
  );
  const rows: { secret: string }[] = await dataSource.query(
    'SELECT secret FROM server_secrets WHERE name = ?',
    [name],
  );
  return Buffer.from(rows[0].secret, 'base64');
}
