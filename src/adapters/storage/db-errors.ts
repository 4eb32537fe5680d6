/** Recognizes the database errors we translate, on SQLite and MySQL/MariaDB alike. */
interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  /** mysql2: the connection is dead. */
  fatal?: boolean;
}

function driverError(err: unknown): DriverError {
  if (typeof err !== 'object' || err === null) return {};
  const wrapped = (err as { driverError?: unknown }).driverError;
  return (typeof wrapped === 'object' && wrapped !== null ? wrapped : err) as DriverError;
}

/**
 * The unique key that `err` violated, or null: the constraint's name (MySQL/MariaDB: `Duplicate entry
 * '<value>' for key '<name>'`) or its columns (SQLite: `UNIQUE constraint failed: t.a, t.b`). Never
 * the rest of the message, which quotes the duplicate value: a userName containing "external_id"
 * must not read as the externalId constraint.
 */
export function uniqueViolation(err: unknown): string | null {
  const e = driverError(err);
  const message = e.message ?? '';
  if (e.errno === 1062) return /for key '([^']*)'\s*$/.exec(message)?.[1] ?? '';
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (.*)$/.exec(message)?.[1] ?? '';
  }
  return null;
}

export function isForeignKeyViolation(err: unknown): boolean {
  const e = driverError(err);
  // SQLite reports ON DELETE RESTRICT as SQLITE_CONSTRAINT_TRIGGER; the message is the same for both.
  const sqlite =
    e.code?.startsWith('SQLITE_CONSTRAINT') && (e.message ?? '').includes('FOREIGN KEY constraint failed');
  return sqlite === true || e.errno === 1451 || e.errno === 1452;
}

/** Errors after which the whole unit of work may simply run again. */
export function isRetryable(err: unknown): boolean {
  const e = driverError(err);
  // 1213 deadlock, 1205 lock wait timeout; SQLITE_BUSY* when another process holds the file.
  return e.errno === 1213 || e.errno === 1205 || isSqliteBusy(err);
}

/** Another connection (another process) holds SQLite's write lock. */
export function isSqliteBusy(err: unknown): boolean {
  return driverError(err).code?.startsWith('SQLITE_BUSY') ?? false;
}

/** The server cannot be reached, or dropped the connection (network, restart, KILL, too many connections). */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_OPTION_PREVENTS_STATEMENT',
]);

/** SQLite cannot use its file right now: locked by another process past the retries, unreadable, full. */
const sqliteUnavailable = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|READONLY|FULL|PROTOCOL)/;

/**
 * The database is down or out of reach, as opposed to a bug in a statement: the client should
 * try again later (503), and nothing was changed. After `isRetryable` errors have been retried,
 * a lock that is still held counts as unavailable too.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const d = driverError(e);
    if (d.fatal === true || (d.code !== undefined && unreachableCodes.has(d.code))) return true;
    if (d.code !== undefined && sqliteUnavailable.test(d.code)) return true;
    if (d.errno === 1205 || d.errno === 1213) return true;
    // better-sqlite3 once its connection is closed; mysql2 once its pool is closed.
    if (/^(The database connection is not open|Pool is closed)/.test(d.message ?? '')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs a write and turns a unique-key violation into the domain conflict for the key it hit
 * (R4: the constraint decides, we only say which one in words a person can act on).
 */
export async function translatingUniqueKeys<T>(
  write: () => Promise<T>,
  conflicts: Record<string, () => Error>,
  otherwise: () => Error,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const key = uniqueViolation(err);
    if (key === null) throw err;
    const match = Object.keys(conflicts).find((column) => key.includes(column));
    throw match ? conflicts[match]() : otherwise();
  }
}
