import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { defaultColumns, readHrExport } from '../../src/adapters/hr/export-reader';
import type { Actor } from '../../src/domain/actor';
import { generateRealisticExport } from '../../scripts/hr/realistic-export';
import { createAccount, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
let dir: string;
beforeAll(async () => {
  roster = await startRoster();
  dir = mkdtempSync(join(tmpdir(), 'roster-hr-real-'));
});
afterAll(async () => {
  await roster.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function setUp() {
  const account = await createAccount(roster);
  const actor: Actor = { kind: 'operator', accountId: account.accountId, operator: 'hr', channel: 'hr-sync' };
  const owned = async () => {
    const users = await roster.uow.read((tx) => tx.hr.ownedUsers(account.accountId));
    return new Map(users.map((u) => [u.employeeId, u]));
  };
  return { actor, owned };
}

test('an export shaped like a real one (shuffled manager tree, quoted cells, non-ASCII names, dates of every kind) is applied as written', async () => {
  const file = join(dir, 'realistic.csv');
  const stats = await generateRealisticExport(600, file);
  // The file has what it claims: reports before their manager, quoted cells, names beyond ASCII, leavers.
  expect(stats.reportsBeforeManager).toBeGreaterThan(100);
  expect(stats.quoted).toBeGreaterThan(100);
  expect(stats.nonAscii).toBeGreaterThan(100);
  expect(stats.pastLeavers).toBeGreaterThan(5);
  const rows = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
  const { actor, owned } = await setUp();

  const first = await roster.services.hrSync.sync(actor, await readHrExport(file, defaultColumns), {
    allowMass: true,
  });
  expect(first.plan.issues).toEqual([]);
  const users = await owned();
  const byEmployee = new Map(rows.map((r) => [r.employee_id, r]));
  let checked = 0;
  for (const row of rows) {
    const user = users.get(row.employee_id);
    if (!user) {
      // Only people who had already left are not created.
      expect(row.termination_date < '2026' && row.termination_date !== '').toBe(true);
      continue;
    }
    checked++;
    expect(user.email.toLowerCase()).toBe(row.email.toLowerCase());
    expect(user).toMatchObject({
      givenName: row.given_name,
      familyName: row.family_name,
      department: row.department,
      title: row.title,
    });
    const manager = row.manager_employee_id ? users.get(row.manager_employee_id) : undefined;
    if (row.manager_employee_id && byEmployee.has(row.manager_employee_id) && manager) {
      expect(user.managerId).toBe(manager.userId);
    }
  }
  expect(checked).toBeGreaterThan(550);

  const again = await roster.services.hrSync.sync(actor, await readHrExport(file, defaultColumns), {
    allowMass: true,
  });
  expect(again.plan.changes).toEqual([]);
});

test('a status that names a property of every JavaScript object is reported, not taken as employed', async () => {
  const file = join(dir, 'status.csv');
  writeFileSync(
    file,
    [
      Object.values(defaultColumns).join(','),
      'E1,ann@acme.test,Ann,Ahl,Sales,Head,,active,,',
      'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,constructor,,',
      'E3,cy@acme.test,Cy,Chu,Sales,Rep,E1,__proto__,,',
      'E4,di@acme.test,Di,Dorn,Sales,Rep,E1,toString,,',
    ].join('\n'),
  );
  const { actor, owned } = await setUp();
  const result = await roster.services.hrSync.sync(actor, await readHrExport(file, defaultColumns));
  expect(result.plan.issues.map((i) => [i.employeeId, i.problem])).toEqual([
    ['E2', 'status "constructor" is not one of active, inactive, terminated'],
    ['E3', 'status "__proto__" is not one of active, inactive, terminated'],
    ['E4', 'status "toString" is not one of active, inactive, terminated'],
  ]);
  expect([...(await owned()).keys()]).toEqual(['E1']);
});
