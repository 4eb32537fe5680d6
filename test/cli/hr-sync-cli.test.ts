import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExport } from '../../scripts/hr/generate-export';
import { freshDatabase, type TestDatabase } from '../support/database';
import { assertBuilt, roster, root } from './run-cli';

let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'roster-hr-cli-'));
});
const databases: TestDatabase[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const database of databases) await database.drop();
});

/** A fresh database (SQLite, or MariaDB with DB=mariadb) with one account: its env and account id. */
async function freshAccount() {
  const database = await freshDatabase();
  databases.push(database);
  const env = { DATABASE_URL: database.url, PUBLIC_URL: 'https://roster.example.com' };
  const created = roster(
    ['accounts', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test', '--json'],
    env,
  );
  expect(created.status).toBe(0);
  return { env, database, accountId: (JSON.parse(created.stdout) as { accountId: string }).accountId };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const header =
  'employee_id,email,given_name,family_name,department,title,manager_employee_id,status,start_date,termination_date';

test('a dry run prints the plan and writes nothing; the run applies it with a report; a second run changes nothing', async () => {
  const { env, accountId } = await freshAccount();
  const file = write(
    'staff.csv',
    [header, 'E1,ann@acme.test,Ann,Ahl,Sales,Head,,,,', 'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,,,'].join('\n'),
  );
  const hr = (...args: string[]) => roster(['hr-sync', '--account', accountId, '--file', file, ...args], env);

  const dry = hr('--dry-run');
  expect(dry.status).toBe(0);
  expect(dry.stdout).toMatch(/^HR sync dry run: nothing was written/);
  expect(dry.stdout).toMatch(/2 rows: 2 to create, 0 to update/);
  expect(dry.stdout).toMatch(/create +line 2 +E1 ann@acme.test: new hire/);
  expect(hr('--dry-run').stdout).toMatch(/2 to create/); // still nothing written

  const reportFile = join(dir, 'report.json');
  const run = hr('--report', reportFile);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^HR sync applied\./);
  expect(run.stderr).toMatch(/hr-sync: applied 2\/2 changes/); // plain progress lines off a terminal
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    status: string;
    counts: Record<string, number>;
  };
  expect(report).toMatchObject({ status: 'applied', counts: { rows: 2, create: 2, skipped: 0 } });

  const again = hr('--json');
  expect(again.status).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ status: 'applied', changes: [], counts: { create: 0 } });

  const members = roster(['members', 'list', '--account', accountId, '--json'], env);
  expect(members.stdout).toContain('bo@acme.test');
});

test('bad rows exit 5 with their lines in the CSV report; a mapping file renames columns; the brake exits 4', async () => {
  const { env, accountId } = await freshAccount();
  const mapping = write('mapping.json', JSON.stringify({ employeeId: 'Emp No', email: 'Work Email' }));
  const renamed = header.replace('employee_id', 'Emp No').replace('email', 'Work Email');
  const file = write(
    'bad.csv',
    [
      renamed,
      'E1,ann@acme.test,Ann,Ahl,Sales,Head,,,,',
      'E2,,Bo,Berg,Sales,Rep,E1,,,',
      'E3,cy@acme.test,Cy,Chu,,,E9,,,',
    ].join('\n'),
  );
  const reportFile = join(dir, 'report.csv');
  const run = roster(
    ['hr-sync', '--account', accountId, '--file', file, '--mapping', mapping, '--report', reportFile],
    env,
  );
  expect(run.status).toBe(5);
  const csv = readFileSync(reportFile, 'utf8');
  expect(csv.split('\n')[0]).toBe('kind,line,employee_id,email,user_id,reason');
  expect(csv).toContain('skipped,3,E2,,,no email');
  expect(csv).toContain('skipped,4,E3,,,unknown manager E9');

  const withoutMapping = roster(['hr-sync', '--account', accountId, '--file', file], env);
  expect(withoutMapping.status).toBe(1);
  expect(withoutMapping.stderr).toMatch(/The export has no column "employee_id" \(employeeId\)/);

  const empty = write('empty.csv', `${renamed}\n`);
  const braked = roster(['hr-sync', '--account', accountId, '--file', empty, '--mapping', mapping], env);
  expect(braked.status).toBe(4);
  expect(braked.stderr).toMatch(/would deactivate 1 of 2 active users, more than 10%; nothing was written/);
  const forced = roster(
    ['hr-sync', '--account', accountId, '--file', empty, '--mapping', mapping, '--allow-mass', '--json'],
    env,
  );
  expect(forced.status).toBe(0);
  expect(JSON.parse(forced.stdout)).toMatchObject({ counts: { deactivate: 1 } });
});

/** The users the export owns, by employee id, with their manager's employee id: comparable across databases. */
async function ownedState(database: TestDatabase): Promise<unknown[]> {
  const rows = await database.query(
    `SELECT o.employee_id, u.user_name, u.active, u.given_name, u.profile, m.employee_id AS manager
       FROM hr_owned_users o JOIN users u ON u.id = o.user_id
       LEFT JOIN hr_owned_users m ON m.user_id = u.manager_id ORDER BY o.employee_id`,
  );
  return rows.map(({ profile, ...rest }) => {
    const parsed = (typeof profile === 'string' ? JSON.parse(profile) : profile) as Record<string, unknown>;
    return { ...rest, title: parsed.title };
  });
}

test('a run killed mid-way and run again ends as one uninterrupted run does', async () => {
  const file = join(dir, 'big.csv');
  await generateExport(5000, file);
  const killed = await freshAccount();
  const args = (accountId: string) => [
    'bin/roster.js',
    'hr-sync',
    '--account',
    accountId,
    '--file',
    file,
    '--allow-mass',
  ];

  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, args(killed.accountId), {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...killed.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('applied')) child.kill('SIGKILL');
    });
    child.once('exit', () => resolve());
  });
  const partial = (await ownedState(killed.database)).length;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(4999);

  const rerun = roster(args(killed.accountId).slice(1), killed.env);
  expect(rerun.status).toBe(0);
  const whole = await freshAccount();
  expect(roster(args(whole.accountId).slice(1), whole.env).status).toBe(0);
  expect(await ownedState(killed.database)).toEqual(await ownedState(whole.database));
  // Employee 5000 is a leaver the account never had: not created.
  expect(await ownedState(whole.database)).toHaveLength(4999);
  const again = roster([...args(killed.accountId).slice(1), '--json'], killed.env);
  expect(JSON.parse(again.stdout)).toMatchObject({ changes: [] });
}, 120_000);

test('past the seat limit: what fits is provisioned, each person left out is listed with the seat limit as the reason, exit 6', async () => {
  const { env, accountId } = await freshAccount();
  // The Owner holds one of the three seats: two of the four hires fit.
  expect(roster(['accounts', 'set-seats', '--account', accountId, '--limit', '3'], env).status).toBe(0);
  const file = write(
    'seats.csv',
    [
      header,
      'E1,ann@acme.test,Ann,Ahl,Sales,Head,,,,',
      'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,,,',
      'E3,cy@acme.test,Cy,Chu,Ops,Eng,E1,,,',
      'E4,di@acme.test,Di,Dahl,Ops,Eng,E1,,,',
    ].join('\n'),
  );
  const reportFile = join(dir, 'seats-report.csv');
  const run = roster(['hr-sync', '--account', accountId, '--file', file, '--report', reportFile], env);
  expect(run.status).toBe(6);
  expect(run.stdout).toMatch(
    /^HR sync applied, except for 2 people refused by the account's seat limit \(roster accounts set-seats\)\./,
  );
  expect(run.stdout).toMatch(/4 rows: 4 to create, .* 2 failed\./);
  expect(run.stdout).toMatch(
    /failed +line 4 +E3 cy@acme.test: not provisioned: the account's seat limit is reached/,
  );
  expect(run.stdout).toMatch(
    /failed +line 5 +E4 di@acme.test: not provisioned: the account's seat limit is reached/,
  );
  expect(run.stderr).toMatch(/2 not provisioned: the account's seat limit is reached/);
  const csv = readFileSync(reportFile, 'utf8');
  expect(csv).toMatch(/^failed,4,E3,cy@acme.test,,"?not provisioned: the account's seat limit/m);

  const seats = roster(['accounts', 'set-seats', '--account', accountId, '--limit', '5', '--json'], env);
  expect(JSON.parse(seats.stdout)).toMatchObject({ used: 3, limit: 5 });
  // With room again, the next run provisions the two left out, and only them.
  const again = roster(['hr-sync', '--account', accountId, '--file', file, '--json'], env);
  expect(again.status).toBe(0);
  const report = JSON.parse(again.stdout) as { changes: { kind: string; employeeId: string }[] };
  expect(report.changes.map((c) => [c.kind, c.employeeId])).toEqual([
    ['create', 'E3'],
    ['create', 'E4'],
  ]);
});
