import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AccountId } from '../../src/domain/ids';
import { JobRunner } from '../../src/jobs/runner';
import type { Job } from '../../src/jobs/job';
import { createAccount, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

/** A job that runs until the test lets it finish, to hold its lease for as long as the test needs. */
function heldJob(name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let runs = 0;
  const job: Job = {
    name,
    description: 'waits for the test',
    run: async () => {
      runs += 1;
      await done;
      return 'finished';
    },
  };
  return { job, finish, runs: () => runs };
}

test('while one instance runs a job, another is told who holds it and does nothing', async () => {
  const held = heldJob('held-job');
  const clock = { now: () => Date.now() };
  const a = new JobRunner(roster.uow, clock, [held.job], 'instance-a');
  const b = new JobRunner(roster.uow, clock, [held.job], 'instance-b');
  const running = a.run('held-job');
  await new Promise((r) => setTimeout(r, 50));
  expect(await b.run('held-job')).toMatchObject({ ran: false, heldBy: 'instance-a' });
  held.finish();
  expect(await running).toEqual({ ran: true, job: 'held-job', outcome: 'finished' });
  expect(await b.run('held-job')).toEqual({ ran: true, job: 'held-job', outcome: 'finished' });
  expect(held.runs()).toBe(2);
  const status = (await b.status())[0];
  expect(status).toMatchObject({ name: 'held-job', holder: null, lastOutcome: 'finished' });
});

test('a lease left by a killed instance expires, and another instance takes the job over', async () => {
  let now = Date.parse('2026-11-23T00:00:00Z');
  const clock = { now: () => now };
  // instance-a took the lease and died without releasing it.
  await roster.uow.write(null, (tx) => tx.jobLeases.acquire('orphaned-job', 'instance-a', now, now + 60_000));
  const job: Job = { name: 'orphaned-job', description: 'quick', run: async () => 'done' };
  const b = new JobRunner(roster.uow, clock, [job], 'instance-b', 60_000);
  expect(await b.run('orphaned-job')).toMatchObject({ ran: false, heldBy: 'instance-a' });
  now += 60_001;
  expect(await b.run('orphaned-job')).toEqual({ ran: true, job: 'orphaned-job', outcome: 'done' });
});

test('two processes running the expiry sweep at once expire each grant exactly once', async () => {
  const past = Date.now() - 60_000;
  const accounts: AccountId[] = [];
  for (let i = 0; i < 10; i++) accounts.push((await createAccount(roster)).accountId);
  let n = 0;
  for (const accountId of accounts) {
    await roster.uow.write(accountId, async (tx) => {
      for (let i = 0; i < 20; i++) {
        n += 1;
        await tx.support.insertGrant({
          id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
          accountId,
          grantedBy: 'test',
          grantedByName: 'test',
          created: past - 1000,
          expires: past,
          ended: null,
          endReason: null,
          endedBy: null,
        });
      }
    });
  }
  const results = await Promise.all([sweepInProcess(), sweepInProcess()]);
  expect(results.every((r) => r.code === 0 || r.code === 3)).toBe(true);
  const ran = results.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout) as { outcome: string });
  expect(ran.length).toBeGreaterThanOrEqual(1);
  const total = ran.reduce((sum, r) => sum + Number(/^(\d+)/.exec(r.outcome)?.[1] ?? 0), 0);
  expect(total).toBe(200);
  for (const accountId of accounts) {
    const events = await roster.uow.read((tx) =>
      tx.audit.list(accountId, { action: 'support_access.expired', limit: 1000 }),
    );
    expect(events).toHaveLength(20);
  }
});

/** `roster jobs run support-access-expiry` in its own process, on this test's database. */
function sweepInProcess(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'roster.js'), 'jobs', 'run', 'support-access-expiry', '--json'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: roster.database.url, LOG_LEVEL: 'silent' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
