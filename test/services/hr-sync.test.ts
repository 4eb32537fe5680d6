import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultColumns, readHrExport } from '../../src/adapters/hr/export-reader';
import type { Actor } from '../../src/domain/actor';
import type { HrSyncOptions } from '../../src/domain/hr-sync/hr-sync-service';
import { createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

const day = 24 * 60 * 60_000;
/** A clock the test moves: dates are tested by moving time, never by sleeping. */
let now = Date.UTC(2026, 11, 4, 9, 0);
const clock = { now: () => now };

let roster: TestRoster;
let dir: string;
beforeAll(async () => {
  roster = await startRoster({}, { clock });
  dir = mkdtempSync(join(tmpdir(), 'roster-hr-'));
});
afterAll(async () => {
  await roster.stop();
  rmSync(dir, { recursive: true, force: true });
});

const header = Object.values(defaultColumns).join(',');
let files = 0;

/** Rows as `id,email,given,family,department,title,manager,status,start,termination`. */
async function exportOf(...rows: string[]) {
  files += 1;
  const path = join(dir, `export-${files}.csv`);
  writeFileSync(path, [header, ...rows].join('\n'));
  return readHrExport(path, defaultColumns);
}

async function setUp() {
  const account = await createAccount(roster);
  const actor: Actor = { kind: 'operator', accountId: account.accountId, operator: 'hr', channel: 'hr-sync' };
  const sync = async (rows: string[], options: HrSyncOptions = {}) =>
    roster.services.hrSync.sync(actor, await exportOf(...rows), options);
  const owned = async () => {
    const users = await roster.uow.read((tx) => tx.hr.ownedUsers(account.accountId));
    return new Map(users.map((u) => [u.employeeId, u]));
  };
  const audit = async () => (await roster.services.audit.list(account.operator, { limit: 500 })).events;
  return { account, actor, sync, owned, audit, scim: scimClient(roster, account.token) };
}

const staff = [
  'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,active,,',
  'E1,ann@acme.test,Ann,Ahl,Sales,Head of Sales,,active,2020-01-06,',
  'E3,cy@acme.test,Cy,Chu,Ops,Engineer,E1,,,',
];

test('a first run creates every hire with their manager; the same file again changes nothing', async () => {
  const { sync, owned, audit, scim } = await setUp();
  const first = await sync(staff);
  expect(first.plan.changes.map((c) => [c.kind, c.employeeId])).toEqual([
    ['create', 'E1'], // the manager first, although the file lists a report before her
    ['create', 'E2'],
    ['create', 'E3'],
  ]);
  expect(first.plan.issues).toEqual([]);
  const users = await owned();
  const bo = users.get('E2');
  expect(bo).toMatchObject({ email: 'bo@acme.test', department: 'Sales', title: 'Rep', active: true });
  expect(bo?.managerId).toBe(users.get('E1')?.userId);
  const resource = (await scim.get(`/Users/${bo?.userId}`).expect(200)).body as Record<string, unknown>;
  expect(resource).toMatchObject({
    userName: 'bo@acme.test',
    title: 'Rep',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      employeeNumber: 'E2',
      department: 'Sales',
      manager: { value: users.get('E1')?.userId },
    },
  });
  const events = await audit();
  expect(events.filter((e) => e.action === 'user.provisioned' && e.channel === 'hr-sync')).toHaveLength(3);

  const again = await sync(staff);
  expect(again.plan.changes).toEqual([]);
  expect((await audit()).length).toBe(events.length);
});

test('changes, leavers and rehires: the same user id throughout, each change with its reason', async () => {
  const { sync, owned } = await setUp();
  await sync([...staff, 'E4,di@acme.test,Di,Dahl,Ops,Engineer,E1,,,']);
  const ids = new Map([...(await owned())].map(([k, u]) => [k, u.userId]));
  // One leaver of five active users is past the 10% brake: allowed here, the brake has its own test.
  const allowMass = true;
  const changed = await sync(
    [
      'E1,ann@acme.test,Ann,Ahl,Sales,VP Sales,,active,,',
      'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,terminated,,',
      'E3,cy@acme.test,Cy,Chu,Ops,Engineer,E1,,,',
      'E4,di@acme.test,Di,Dahl,Ops,Engineer,E1,,,',
    ],
    { allowMass },
  );
  expect(changed.plan.changes.map((c) => [c.kind, c.employeeId, c.reason])).toEqual([
    ['update', 'E1', 'changed: title'],
    ['deactivate', 'E2', 'status terminated'],
  ]);
  const leaver = await sync(
    [
      'E1,ann@acme.test,Ann,Ahl,Sales,VP Sales,,active,,',
      'E2,bo@acme.test,Bo,Berg,Sales,Rep,E1,active,,',
      'E4,di@acme.test,Di,Dahl,Ops,Engineer,E1,,,',
    ],
    { allowMass },
  );
  expect(leaver.plan.changes.map((c) => [c.kind, c.employeeId, c.reason])).toEqual([
    ['reactivate', 'E2', 'employed again (rehire)'],
    ['deactivate', 'E3', 'no longer in the export'],
  ]);
  const after = await owned();
  expect(after.get('E2')).toMatchObject({ userId: ids.get('E2'), active: true });
  expect(after.get('E3')).toMatchObject({ userId: ids.get('E3'), active: false });
});

test('bad rows are reported with their line numbers and skipped; the good rows are applied', async () => {
  const { sync, owned } = await setUp();
  const result = await sync([
    'E1,ann@acme.test,Ann,Ahl,Sales,Head,,,,', // line 2
    'E2,,Bo,Berg,Sales,Rep,E1,,,', // line 3: no email
    'E3,cy@acme.test,Cy,Chu,Ops,Eng,E1,,,', // line 4: duplicate id
    'E3,cy2@acme.test,Cy,Chu,Ops,Eng,E1,,,', // line 5: duplicate id
    'E5,ed@acme.test,Ed,Eck,Ops,Eng,E1,,2026-13-01,', // line 6: bad date
    'E6,fi@acme.test,Fi,Fox,Ops,Eng,E99,,,', // line 7: unknown manager
    'E7,gu@acme.test,Gu,Gill,Ops,Eng,E6,,,', // line 8: their manager was skipped
  ]);
  expect(result.plan.issues.map((i) => [i.line, i.problem])).toEqual([
    [3, 'no email'],
    [4, 'employee id E3 is on more than one row'],
    [5, 'employee id E3 is on more than one row'],
    [6, 'start date "2026-13-01" is not a date (YYYY-MM-DD)'],
    [7, 'unknown manager E99'],
    [8, 'unknown manager E6'],
  ]);
  expect([...(await owned()).keys()]).toEqual(['E1']);
});

test('a user the export does not own is left alone unless --adopt; adopting never makes a second user', async () => {
  const { sync, owned, scim } = await setUp();
  const existing = (
    await scim
      .post('/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'Ann@acme.test',
        active: true,
      })
      .expect(201)
  ).body as { id: string };
  const row = 'E1,ann@acme.test,Ann,Ahl,Sales,Head,,,,';
  const refused = await sync([row]);
  expect(refused.plan.changes).toEqual([]);
  expect(refused.plan.issues[0].problem).toMatch(/not managed by the HR sync \(--adopt takes it over\)/);
  const adopted = await sync([row], { adopt: true });
  expect(adopted.plan.changes.map((c) => [c.kind, c.userId])).toEqual([['update', existing.id]]);
  expect((await owned()).get('E1')).toMatchObject({ userId: existing.id, title: 'Head' });
  expect((await sync([row])).plan.changes).toEqual([]);
  // Users the export never owned are not deactivated for being absent from it.
  expect((await sync([])).plan.changes.map((c) => c.userId)).toEqual([existing.id]);
});

test('the brake: a run deactivating more than 10% of active users writes nothing unless --allow-mass, audited', async () => {
  const { sync, owned, audit } = await setUp();
  const rows = Array.from({ length: 30 }, (_, i) => `E${i},p${i}@acme.test,P,${i},Ops,Eng,,,,`);
  await sync(rows);
  const before = (await audit()).length;
  const stopped = await sync(rows.slice(0, 25));
  expect(stopped.stopped).toMatch(
    /would deactivate 5 of 31 active users, more than 10%; nothing was written/,
  );
  expect((await audit()).length).toBe(before);
  expect([...(await owned()).values()].filter((u) => !u.active)).toHaveLength(0);
  const dry = await sync(rows.slice(0, 25), { dryRun: true, allowMass: true });
  expect(dry.plan.deactivations).toBe(5);
  expect((await audit()).length).toBe(before);
  const forced = await sync(rows.slice(0, 25), { allowMass: true });
  expect(forced.stopped).toBeNull();
  expect([...(await owned()).values()].filter((u) => !u.active)).toHaveLength(5);
  const override = (await audit()).find((e) => e.action === 'hr_sync.mass_deactivation_allowed');
  expect(override).toMatchObject({
    channel: 'hr-sync',
    actorId: 'hr',
    after: { deactivations: 5, activeUsers: 31 },
  });
});

test('a dry run shows exactly the plan a real run then applies', async () => {
  const { sync } = await setUp();
  await sync(staff);
  const next = ['E1,ann@acme.test,Ann,Ahl,Sales,VP,,active,,', 'E3,cy@acme.test,Cy,Chu,Ops,Engineer,E1,,,'];
  const strip = (r: Awaited<ReturnType<typeof sync>>) =>
    r.plan.changes.map(({ kind, userId, reason }) => ({ kind, userId, reason }));
  const dry = await sync(next, { dryRun: true, allowMass: true });
  const real = await sync(next, { allowMass: true });
  expect(strip(real)).toEqual(strip(dry));
  expect(strip(dry)).toHaveLength(2);
});

test("future dates: a hire starts inactive and the sweep activates them on the day; a leaver goes at the end of their last day; the Owner's departure flags the account", async () => {
  const { account, sync, owned } = await setUp();
  const today = new Date(now).toISOString().slice(0, 10);
  const inThreeDays = new Date(now + 3 * day).toISOString().slice(0, 10);
  const ownerEmail = (await roster.services.users.get(account.operator, account.ownerId)).user.userName;
  const result = await sync(
    [
      `E1,new@acme.test,Nia,New,Ops,Eng,,,${inThreeDays},`,
      `E2,last@acme.test,Lu,Last,Ops,Eng,,,,${today}`,
      `E0,${ownerEmail},Olga,Owner,Board,CEO,,,,${today}`,
    ],
    { adopt: true },
  );
  expect(result.plan.changes.find((c) => c.employeeId === 'E1')?.reason).toBe(
    `new hire, created inactive until the start date (activates at ${inThreeDays}T00:00:00.000Z)`,
  );
  expect((await owned()).get('E1')?.active).toBe(false);
  expect((await owned()).get('E2')?.active).toBe(true);

  now += 14 * 60 * 60_000; // 23:00 on the last day: still employed
  expect((await roster.jobs.run('hr-due-dates')).ran).toBe(true);
  expect((await owned()).get('E2')?.active).toBe(true);

  now += 2 * 60 * 60_000; // past midnight
  expect(await roster.jobs.run('hr-due-dates')).toMatchObject({ outcome: '2 HR dates applied' });
  expect((await owned()).get('E2')?.active).toBe(false);
  expect((await owned()).get('E0')?.active).toBe(false);
  expect((await roster.services.accounts.get(account.accountId)).needsOwnershipTransfer).toBe(true);

  now += 3 * day;
  expect(await roster.jobs.run('hr-due-dates')).toMatchObject({ outcome: '1 HR date applied' });
  expect((await owned()).get('E1')?.active).toBe(true);
  // Run twice: nothing is due any more.
  expect(await roster.jobs.run('hr-due-dates')).toMatchObject({ outcome: '0 HR dates applied' });
});

test('rehire after deletion: the same employee id in a later export comes back with the same user id, named in the audit log', async () => {
  const { account, sync, owned, audit, scim } = await setUp();
  await sync(staff);
  const before = await owned();
  const bo = before.get('E2')?.userId as string;
  const cy = before.get('E3')?.userId as string;
  await scim.delete(`/Users/${bo}`).expect(204);
  await roster.services.users.delete(account.operator, cy);
  expect([...(await owned()).keys()].sort()).toEqual(['E1']);

  const back = await sync(staff);
  expect(back.plan.changes.map((c) => [c.kind, c.employeeId, c.userId, c.reason])).toEqual([
    ['create', 'E2', bo, 'rehired after deletion: keeps their former user id'],
    ['create', 'E3', cy, 'rehired after deletion: keeps their former user id'],
  ]);
  expect(back.failures).toEqual([]);
  expect((await owned()).get('E2')).toMatchObject({ userId: bo, email: 'bo@acme.test', active: true });
  await scim.get(`/Users/${cy}`).expect(200);
  const events = (await audit()).filter((e) => e.subjectId === bo);
  expect(events.map((e) => [e.action, e.subjectName])).toEqual(
    expect.arrayContaining([
      ['user.provisioned', 'bo@acme.test'],
      ['user.deleted', 'bo@acme.test'],
    ]),
  );
  expect(events.filter((e) => e.action === 'user.provisioned')).toHaveLength(2);
  // The tombstone is gone: a third run changes nothing and a new person gets a new id.
  expect((await sync(staff)).plan.changes).toEqual([]);
});

test("a rehire after deletion is audited as SCIM's reprovision is: before names the former user", async () => {
  const { account, sync, owned, audit } = await setUp();
  await sync(staff);
  const bo = (await owned()).get('E2')?.userId as string;
  await roster.services.users.delete(account.operator, bo);
  await sync(staff);
  const provisioned = (await audit()).filter((e) => e.subjectId === bo && e.action === 'user.provisioned');
  // Newest first: the rehire, then the first hire (who had no former self).
  expect(provisioned.map((e) => e.before)).toEqual([
    { deleted: expect.any(String), userName: 'bo@acme.test' },
    null,
  ]);
});

test('under a seat limit, a leaver of the same run frees their seat for a hire', async () => {
  const { account, sync, owned } = await setUp();
  await roster.services.accounts.setSeatLimit(account.operator, 3); // the Owner and two staff
  // Ann (E1) and Cy (E3) fill the seats; then Ann leaves as Ed joins.
  await sync(staff.slice(1).map((row) => row.replace(',E1,', ',,')));
  const result = await sync(
    ['E3,cy@acme.test,Cy,Chu,Ops,Engineer,,,,', 'E5,ed@acme.test,Ed,Eck,Ops,Eng,,,,'],
    {
      allowMass: true,
    },
  );
  expect(result.plan.changes.map((c) => [c.kind, c.employeeId])).toEqual([
    ['create', 'E5'],
    ['deactivate', 'E1'],
  ]);
  expect(result.failures).toEqual([]);
  expect((await owned()).get('E5')?.active).toBe(true);
  expect((await owned()).get('E1')?.active).toBe(false);
});

test('HR taking over an invited person activates them once: the invitation is settled, one seat is held', async () => {
  const { account, sync, owned } = await setUp();
  await roster.services.accounts.setSeatLimit(account.operator, 2); // the Owner and the invitee
  const { invitation } = await roster.services.invitations.invite(account.operator, {
    email: 'dana@acme.test',
  });
  const result = await sync(['E9,dana@acme.test,Dana,Dahl,Ops,Engineer,,active,,'], { adopt: true });
  expect(result.failures).toEqual([]);
  expect((await owned()).get('E9')).toMatchObject({ userId: invitation.userId, active: true });
  expect(await roster.services.accounts.seats(account.operator)).toEqual({ limit: 2, used: 2 });
  const [listed] = await roster.services.invitations.list(account.operator);
  expect(listed).toMatchObject({ id: invitation.id, status: 'provisioned' });
  const settled = await roster.services.audit.list(account.operator, { subjectId: invitation.id });
  expect(settled.events[0]).toMatchObject({ action: 'invitation.provisioned', channel: 'hr-sync' });
});
