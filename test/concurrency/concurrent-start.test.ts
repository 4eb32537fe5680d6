import { freshDatabase, type TestDatabase } from '../support/database';
import { assertBuilt, startServer } from '../cli/run-cli';

/**
 * Several instances started at once on one fresh database (a rolling deploy, an autoscaler) all
 * come up: the migrations run once, under a database lock, and the others wait for them.
 */
const instances = 4;
let database: TestDatabase;

beforeAll(async () => {
  assertBuilt();
  database = await freshDatabase();
});
afterAll(() => database.drop());

test(`${instances} servers started at once on one fresh database all come up, and migrate it once`, async () => {
  const env = { DATABASE_URL: database.url, JOBS_INTERVAL_SECONDS: '0' };
  const started = await Promise.allSettled(Array.from({ length: instances }, () => startServer(env)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    expect(failures).toEqual([]);
    for (const server of servers) {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
    }
    const rows = await database.query('SELECT name FROM migrations');
    const names = rows.map((r) => String(r.name));
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names).size).toBe(names.length);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});
