import { createReadStream, readFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { HrRow } from '../../domain/hr-sync/hr-types';
import { interner } from '../../domain/hr-sync/interner';

type Field = Exclude<keyof HrRow, 'line'>;

/** The export's column for each HR field when no mapping file says otherwise (docs/hr-sync.md). */
export const defaultColumns: Record<Field, string> = {
  employeeId: 'employee_id',
  email: 'email',
  givenName: 'given_name',
  familyName: 'family_name',
  department: 'department',
  title: 'title',
  managerEmployeeId: 'manager_employee_id',
  status: 'status',
  startDate: 'start_date',
  terminationDate: 'termination_date',
};

const required: Field[] = ['employeeId', 'email'];

const mappingSchema = z
  .object(Object.fromEntries(Object.keys(defaultColumns).map((k) => [k, z.string().min(1).optional()])))
  .strict();

/** A mapping file is JSON naming the export's column for any field it renames, e.g. {"employeeId": "Emp No"}. */
export function loadMapping(path: string | undefined): Record<Field, string> {
  if (!path) return defaultColumns;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw DomainError.invalid(
      'hr_sync.bad_mapping',
      `Cannot read the mapping file ${path}: ${(err as Error).message}`,
    );
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = Object.keys(defaultColumns).join(', ');
    throw DomainError.invalid(
      'hr_sync.bad_mapping',
      `The mapping file ${path} must be a JSON object of column names for: ${fields} (${parsed.error.issues[0]?.message})`,
    );
  }
  return { ...defaultColumns, ...(parsed.data as Partial<Record<Field, string>>) };
}

/**
 * Streams the CSV export into compact rows (trimmed, empty cells null) with their line numbers.
 * Only the mapped columns are kept, so a wide export costs no more memory than a narrow one.
 */
export async function readHrExport(path: string, columns: Record<Field, string>): Promise<HrRow[]> {
  try {
    return await readRows(path, columns);
  } catch (err) {
    throw unreadable(path, err);
  }
}

/**
 * A file that cannot be read (missing, a directory, no permission) or is not CSV (an unclosed
 * quote) is the operator's to fix: a message naming the file, never a stack trace.
 */
function unreadable(path: string, err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (code.startsWith('CSV_')) {
    return DomainError.invalid(
      'hr_sync.bad_csv',
      `${path} is not a CSV file Roster can read: ${(err as Error).message}`,
    );
  }
  if (/^E[A-Z]+$/.test(code)) {
    return DomainError.invalid('hr_sync.file_unreadable', `Cannot read ${path}: ${(err as Error).message}`);
  }
  return err;
}

async function readRows(path: string, columns: Record<Field, string>): Promise<HrRow[]> {
  const source = createReadStream(path);
  // pipe() does not pass on the file's errors: without this a missing file is an unhandled 'error' event.
  const parser = source.pipe(
    parse({
      columns: (header: string[]) => checkHeader(header, columns),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: true,
    }),
  );
  source.once('error', (err) => parser.destroy(err));
  const rows: HrRow[] = [];
  const entries = Object.entries(columns) as [Field, string][];
  const shared = interner();
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const row = { line: info.lines } as HrRow;
    for (const [field, column] of entries) {
      const value = record[column];
      row[field] = value === undefined || value === '' ? null : repeated.has(field) ? shared(value) : value;
    }
    rows.push(row);
  }
  return rows;
}

/** Fields whose values repeat across rows (a department, a manager, a date): kept once each. */
const repeated = new Set<Field>([
  'givenName',
  'familyName',
  'department',
  'title',
  'managerEmployeeId',
  'status',
  'startDate',
  'terminationDate',
]);

function checkHeader(header: string[], columns: Record<Field, string>): string[] {
  const missing = required.filter((field) => !header.includes(columns[field]));
  if (missing.length > 0) {
    const names = missing.map((f) => `"${columns[f]}" (${f})`).join(', ');
    throw DomainError.invalid('hr_sync.bad_export', `The export has no column ${names}; see --mapping`);
  }
  return header;
}
