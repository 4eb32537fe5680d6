import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, type TestDatabase } from '../support/database';
import { assertBuilt, root, startServer } from './run-cli';

/**
 * The README's tour, run as written: its shell blocks in order, in one bash, against a fresh
 * server, with the CLI on the same database. Each `# {…}` line the README shows under a command must
 * be what the command printed ("…" stands for any value).
 */
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = /## Try it[^\n]*\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
const samples = blocks.flatMap((b) =>
  b
    .split('\n')
    .filter((l) => /^# [{[]/.test(l))
    .map((l) => l.slice(2)),
);

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let cwd: string;
beforeAll(async () => {
  assertBuilt();
  database = await freshDatabase();
  cwd = mkdtempSync(join(tmpdir(), 'roster-tour-'));
  server = await startServer({ DATABASE_URL: database.url, JOBS_INTERVAL_SECONDS: '0' });
});
afterAll(async () => {
  await server.stop();
  await database.drop();
  rmSync(cwd, { recursive: true, force: true });
});

/** Whether `printed` is `sample` with "…" for any value (the same keys, in the same order). */
function matches(sample: unknown, printed: unknown): boolean {
  if (sample === '…') return true;
  if (Array.isArray(sample)) {
    return (
      Array.isArray(printed) &&
      sample.length === printed.length &&
      sample.every((s, i) => matches(s, printed[i]))
    );
  }
  if (sample && typeof sample === 'object') {
    if (!printed || typeof printed !== 'object' || Array.isArray(printed)) return false;
    const keys = Object.keys(sample);
    const same = JSON.stringify(keys) === JSON.stringify(Object.keys(printed));
    return same && keys.every((k) => matches((sample as never)[k], (printed as never)[k]));
  }
  return sample === printed;
}

test('the README tour has commands and shows what they print', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  expect(samples.length).toBeGreaterThanOrEqual(6);
});

test('the README tour runs as written and prints what the README shows', () => {
  const script = blocks
    .join('\n')
    .replaceAll('http://localhost:8080', server.url)
    .replaceAll('npx roster ', `node ${join(root, 'bin', 'roster.js')} `);
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
    status: 0,
    stderr: '',
  });
  // Commands that print nothing leave the next output on the same line: split JSON values apart.
  const printed = run.stdout
    .replace(/}{/g, '}\n{')
    .split('\n')
    .filter((l) => /^[{[]/.test(l));
  let next = 0;
  for (const sample of samples) {
    const expected = JSON.parse(sample) as unknown;
    const at = printed.findIndex((line, i) => i >= next && matches(expected, JSON.parse(line)));
    expect({ sample, printed: at === -1 ? printed.slice(next) : 'found' }).toEqual({
      sample,
      printed: 'found',
    });
    next = at + 1;
  }
});
