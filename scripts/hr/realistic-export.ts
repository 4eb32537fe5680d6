import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

/**
 * Writes an N-row HR export shaped like real ones rather than like a counter: the management
 * tree is random and the rows are shuffled (most reports come before their manager), cells hold
 * commas and double quotes (quoted as RFC 4180 says), names are not ASCII, and future starts,
 * future leavers and past leavers are mixed through the file. Deterministic for a given N.
 * Usage: node dist/scripts/hr/realistic-export.js ROWS FILE
 */
export async function generateRealisticExport(rows: number, path: string): Promise<RealisticExportStats> {
  const random = mulberry32(rows);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  // Row i (1-based) reports to an earlier employee chosen at random: a tree of uneven depth.
  const order = Array.from({ length: rows }, (_, i) => i + 1);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const position = new Map(order.map((n, at) => [n, at]));
  const stats = {
    rows,
    reportsBeforeManager: 0,
    quoted: 0,
    nonAscii: 0,
    pastLeavers: 0,
    futureStarts: 0,
    futureLeavers: 0,
  };
  const managers = new Map<number, number>();
  for (let n = 2; n <= rows; n++) {
    const manager = 1 + Math.floor(random() * Math.min(n - 1, Math.max(1, n / 3)));
    managers.set(n, manager);
    if ((position.get(n) as number) < (position.get(manager) as number)) stats.reportsBeforeManager++;
  }
  const out = createWriteStream(path);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(
    'employee_id,email,given_name,family_name,department,title,manager_employee_id,status,start_date,termination_date\n',
  );
  let batch: string[][] = [];
  for (const n of order) {
    const given = pick(givenNames);
    const family = pick(familyNames);
    const department = pick(departments);
    const title = pick(titles);
    const roll = random();
    let status = 'active';
    let start = `20${10 + Math.floor(random() * 15)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    let end = '';
    if (roll < 0.03) {
      // A past leaver: terminated, with a termination day behind us.
      status = pick(['terminated', 'Terminated', 'inactive']);
      end = `2025-0${1 + Math.floor(random() * 9)}-2${Math.floor(random() * 8)}`;
      stats.pastLeavers++;
    } else if (roll < 0.04) {
      start = `2099-0${1 + Math.floor(random() * 9)}-0${1 + Math.floor(random() * 9)}`;
      stats.futureStarts++;
    } else if (roll < 0.05) {
      end = `2099-1${Math.floor(random() * 3)}-1${Math.floor(random() * 9)}`;
      stats.futureLeavers++;
    }
    const cells = [
      `E${n}`,
      `${roll < 0.5 ? 'P' : 'p'}${n}.${ascii(family)}@Example.test`,
      given,
      family,
      department,
      title,
      n === 1 ? '' : `E${managers.get(n)}`,
      status,
      start,
      end,
    ];
    if (cells.some((c) => /[",\n]/.test(c))) stats.quoted++;
    if (cells.some((c) => /[^\x20-\x7e]/.test(c))) stats.nonAscii++;
    batch.push(cells);
    if (batch.length === 1000) {
      await write(stringify(batch));
      batch = [];
    }
  }
  if (batch.length) await write(stringify(batch));
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return stats;
}

export interface RealisticExportStats {
  rows: number;
  reportsBeforeManager: number;
  quoted: number;
  nonAscii: number;
  pastLeavers: number;
  futureStarts: number;
  futureLeavers: number;
}

const givenNames = [
  'José',
  'Zoë',
  'Łukasz',
  'Søren',
  'Ngọc Anh',
  'Ada',
  'Chloé',
  'Jürgen',
  'Ñuño',
  'Åsa',
  'Mary-Jane',
  'Ólafur',
  '美咲',
  'Дмитрий',
  'Aarav',
  'Fatimah',
];
const familyNames = [
  "O'Brien",
  'Müller',
  'García Márquez',
  'Nguyễn',
  'Østergaard',
  'Kowalczyk',
  'Smith, Jr.',
  'van der Berg',
  '佐藤',
  'Иванова',
  'Lévesque',
  'Ó Súilleabháin',
  'Björk',
  'Dubois',
];
const departments = [
  'Sales, EMEA',
  'R&D "Labs"',
  'Engineering',
  'Support (Tier 1, 2)',
  'Finance',
  'People & Culture',
  'Marketing',
];
const titles = [
  'Director, "Special" Projects',
  'Engineer II',
  'Account Executive, Enterprise',
  'VP, Sales',
  'Analyst',
  'Ingénieure système',
  'Team Lead',
];

/** The ASCII letters of a name, for an email's local part. */
function ascii(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase() || 'x'
  );
}

/** A small seeded PRNG, so each run of the benchmark reads the same file. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (require.main === module) {
  const [rows, path] = process.argv.slice(2);
  if (!rows || !path) {
    process.stderr.write('usage: realistic-export ROWS FILE\n');
    process.exit(2);
  }
  void generateRealisticExport(Number(rows), path).then((stats) =>
    process.stdout.write(`wrote ${rows} rows to ${path}: ${JSON.stringify(stats)}\n`),
  );
}
