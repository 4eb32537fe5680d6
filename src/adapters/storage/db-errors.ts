/** Recognizes the database errors we translate, on SQLite and MySQL/MariaDB alike. */
interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

function driverError(err: unknown): DriverError {
  if (typeof err !== 'object' || err === null) return {};
  const wrapped = (err as { driverError?: unknown }).driverError;
  return (typeof wrapped === 'object' && wrapped !== null ? wrapped : err) as DriverError;
}

/** The unique key that `err` violated (its index or column names appear in the text), or null. */
export function uniqueViolation(err: unknown): string | null {
  const e = driverError(err);
  const isUnique =
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.errno === 1062;
  return isUnique ? (e.message ?? '') : null;
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
  return e.errno === 1213 || e.errno === 1205 || (e.code?.startsWith('SQLITE_BUSY') ?? false);
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
