import { stdSerializers } from 'pino';

/**
 * Fields of database errors that carry the statement's values: TypeORM's QueryFailedError keeps
 * `parameters`, and mysql2 puts the statement with its values written in into `sql`. They hold
 * whatever a request sent (userNames, emails, names): personal data, never logged.
 */
const valueFields = new Set(['parameters', 'sql', 'values']);

/** An identifier, not a value, follows these words in the databases' messages. */
const identifierBefore = /(?:key|column|table|database|in|index)\s*$/i;

/**
 * pino's error serializer, except that an error from the database (or caused by one) loses the
 * statement's values: the fields above are dropped, and quoted values in its messages (MariaDB's
 * "Duplicate entry 'ann@acme.test' for key …") become '…'. The code, errno and the statement
 * with its `?` placeholders stay, which is what a person debugging needs.
 */
export function errorSerializer(err: unknown): unknown {
  const serialized = stdSerializers.err(err as Error);
  return involvesDatabase(err, 0) ? scrubbed(serialized, 0) : serialized;
}

function involvesDatabase(err: unknown, depth: number): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const e = err as Record<string, unknown>;
  if ('driverError' in e || 'sqlMessage' in e || 'sqlState' in e || 'parameters' in e) return true;
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return true;
  return involvesDatabase(e.cause, depth + 1);
}

function scrubbed(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > 5) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (valueFields.has(key)) continue;
    if (typeof field === 'string' && (key === 'message' || key === 'stack' || key === 'sqlMessage')) {
      out[key] = withoutQuotedValues(field);
    } else {
      out[key] = Array.isArray(field) ? field : scrubbed(field, depth + 1);
    }
  }
  return out;
}

export function withoutQuotedValues(text: string): string {
  return text.replace(/(['"])(?:\\.|(?!\1)[^\\])*\1/g, (quoted, _q, offset: number) =>
    identifierBefore.test(text.slice(Math.max(0, offset - 12), offset)) ? quoted : "'…'",
  );
}
