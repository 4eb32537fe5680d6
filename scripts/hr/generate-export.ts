import { createWriteStream } from 'node:fs';

/**
 * Writes an N-row HR export with the default columns: a management tree (every row but the first
 * has a manager listed earlier or later in the file), a few future start and termination dates.
 * Usage: node dist/scripts/hr/generate-export.js ROWS FILE
 */
export async function generateExport(rows: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = (line: string) =>
    out.write(`${line}\n`) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(
    'employee_id,email,given_name,family_name,department,title,manager_employee_id,status,start_date,termination_date',
  );
  const departments = ['Sales', 'Engineering', 'Support', 'Finance', 'People', 'Marketing'];
  for (let i = 1; i <= rows; i++) {
    // A tree ten wide: employee i reports to employee ceil((i-1)/10).
    const manager = i === 1 ? '' : `E${Math.ceil((i - 1) / 10)}`;
    const status = i % 5000 === 0 ? 'terminated' : 'active';
    const start = i % 1000 === 0 ? '2099-01-04' : '2020-03-02';
    const end = i % 997 === 0 ? '2099-06-30' : '';
    await write(
      `E${i},person${i}@example.test,Given${i},Family${i},${departments[i % departments.length]},Title ${i % 50},${manager},${status},${start},${end}`,
    );
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

if (require.main === module) {
  const [rows, path] = process.argv.slice(2);
  if (!rows || !path) {
    process.stderr.write('usage: generate-export ROWS FILE\n');
    process.exit(2);
  }
  void generateExport(Number(rows), path).then(() => process.stdout.write(`wrote ${rows} rows to ${path}\n`));
}
