import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect';

/**
 * WAL pages between two checkpoints (SQLite's default is 1,000, 4 MiB). A chunk of 500 new users
 * dirties some 7,000 pages (the users' many indexes take random keys), so at the default every
 * commit was followed by a checkpoint that read the whole WAL back and rewrote it to the database,
 * fsync included: half the I/O of a 100,000-row run. At 50,000 a checkpoint comes every few chunks
 * and writes a page once for all the commits that touched it.
 */
const checkpointPages = 50_000;

/**
 * The page cache, in KiB. A chunk's inserts land on random pages of some twenty indexes; at 4 MiB
 * nearly every one was a read and a spill of a dirty page mid-transaction, each a system call.
 * 16 MiB adds about 20 MB to the apply phase's RSS; the peak stays some 20 MB under the goal.
 */
const cacheKiB = 16 * 1024;

/** Once a checkpoint has emptied it, the WAL file is cut back to this size, not left at its peak. */
const walSizeLimitBytes = 64 * 2 ** 20;

/**
 * Settings for a process that writes in bulk (`roster hr-sync`) on SQLite, on its own connection
 * only; the server keeps its defaults. synchronous=NORMAL is still crash-safe in WAL mode (a
 * killed process loses nothing committed; only a power cut can lose the last commits); no
 * memory-mapping and a bounded page cache (16 MiB) keep the RSS flat however large the database
 * is; checkpoints every 50,000 pages instead of every commit.
 */
export async function useBatchSettings(dataSource: DataSource): Promise<void> {
  if (dialectOf(dataSource) !== 'sqlite') return;
  await dataSource.query('PRAGMA synchronous = NORMAL');
  await dataSource.query('PRAGMA mmap_size = 0');
  await dataSource.query(`PRAGMA cache_size = -${cacheKiB}`);
  await dataSource.query(`PRAGMA wal_autocheckpoint = ${checkpointPages}`);
  await dataSource.query(`PRAGMA journal_size_limit = ${walSizeLimitBytes}`);
}
