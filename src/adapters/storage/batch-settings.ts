import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect';

/**
 * Settings for a process that writes in bulk (`roster hr-sync`) on SQLite, on its own connection
 * only; the server keeps its defaults. synchronous=NORMAL is still crash-safe in WAL mode (a
 * killed process loses nothing committed; only a power cut can lose the last commits); no
 * memory-mapping and a small page cache (4 MiB) keep the RSS flat however large the database is.
 */
export async function useBatchSettings(dataSource: DataSource): Promise<void> {
  if (dialectOf(dataSource) !== 'sqlite') return;
  await dataSource.query('PRAGMA synchronous = NORMAL');
  await dataSource.query('PRAGMA mmap_size = 0');
  await dataSource.query('PRAGMA cache_size = -4096');
}
