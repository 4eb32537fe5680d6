import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dialectOf, insertIgnore } from './dialect';
import type { TypeOrmUnitOfWork } from './unit-of-work';

/**
 * The server's key named `name` (32 random bytes), made by whichever instance asks first: the
 * insert is ignored when another instance already stored one, and everyone reads the stored row.
 */
export async function serverSecret(
  dataSource: DataSource,
  uow: TypeOrmUnitOfWork,
  name: string,
): Promise<Buffer> {
  // Through the unit of work: instances starting together on one SQLite file wait for each other.
  await uow.statement(() =>
    dataSource.query(
      `${insertIgnore(dialectOf(dataSource))} INTO server_secrets (name, secret, created_at) VALUES (?, ?, ?)`,
      [name, randomBytes(32).toString('base64'), Date.now()],
    ),
  );
  const rows: { secret: string }[] = await uow.statement(() =>
    dataSource.query('SELECT secret FROM server_secrets WHERE name = ?', [name]),
  );
  return Buffer.from(rows[0].secret, 'base64');
}
