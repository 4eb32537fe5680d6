import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';
import type { UserId } from '../../src/domain/ids';
import type { Actor } from '../../src/domain/actor';
import { ROSTER_URN, USER_URN, expectScimError, uniqueEmail } from './scim-helpers';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const owner: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'admin-api',
  };
  const create = async (extra: Record<string, unknown> = {}) =>
    (await scim.post('/Users', aUser(uniqueEmail('mfa'), extra)).expect(201)).body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const extension = async (id: string) => (await scim.get(`/Users/${id}`).expect(200)).body[ROSTER_URN];
  return { account, scim, owner, create, extension };
}

const mfaPath = `${ROSTER_URN}:mfaRequired`;

test('the extension shows the role and the MFA state; nothing required by default', async () => {
  const { create } = await setUp();
  const user = await create();
  expect(user.schemas).toContain(ROSTER_URN);
  expect(user[ROSTER_URN]).toEqual({ role: 'none', mfaEnforced: false });
});

test('POST with mfaRequired sets the user flag; the resource shows it and who enforces MFA', async () => {
  const { create, extension } = await setUp();
  const user = await create({
    schemas: [USER_URN, ROSTER_URN],
    [ROSTER_URN]: { mfaRequired: true },
  });
  expect(user[ROSTER_URN]).toMatchObject({ mfaRequired: true, mfaEnforced: true, mfaRequiredBy: 'user' });
  expect(await extension(user.id)).toMatchObject({ mfaRequired: true, mfaEnforced: true });
});

test('Okta: PATCH with a path, and the pathless value-object form', async () => {
  const { scim, create, extension } = await setUp();
  const user = await create();
  await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: mfaPath, value: true })).expect(200);
  expect(await extension(user.id)).toMatchObject({
    mfaRequired: true,
    mfaEnforced: true,
    mfaRequiredBy: 'user',
  });
  await scim
    .patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { [ROSTER_URN]: { mfaRequired: false } } }))
    .expect(200);
  expect(await extension(user.id)).toEqual({ role: 'none', mfaRequired: false, mfaEnforced: false });
});

test('Entra: "True"/"False" strings, capitalised ops, dotted keys in a pathless value, and Remove', async () => {
  const { scim, create, extension } = await setUp();
  const user = await create();
  await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: mfaPath, value: 'True' })).expect(200);
  expect((await extension(user.id)).mfaRequired).toBe(true);
  await scim
    .patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: mfaPath, value: 'False' },
      ),
    )
    .expect(200);
  expect((await extension(user.id)).mfaRequired).toBe(false);
  await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { [mfaPath]: 'true' } })).expect(200);
  expect((await extension(user.id)).mfaRequired).toBe(true);
  await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: mfaPath })).expect(200);
  const after = await extension(user.id);
  expect(after).not.toHaveProperty('mfaRequired');
  expect(after.mfaEnforced).toBe(false);
});

test('the read-only attributes cannot be written; a value that is not a boolean is refused', async () => {
  const { scim, create, extension } = await setUp();
  const user = await create();
  for (const attr of ['role', 'mfaEnforced', 'mfaRequiredBy']) {
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: `${ROSTER_URN}:${attr}`, value: 'x' }),
    );
    expectScimError(res, 400, 'mutability');
  }
  expectScimError(
    await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: mfaPath, value: 'maybe' })),
    400,
    'invalidValue',
  );
  expect(await extension(user.id)).toEqual({ role: 'none', mfaEnforced: false });
});

test('PUT: the read-modify-write body echoes the extension; a PUT without mfaRequired keeps it', async () => {
  const { scim, create, extension } = await setUp();
  const user = await create({ schemas: [USER_URN, ROSTER_URN], [ROSTER_URN]: { mfaRequired: true } });
  const current = (await scim.get(`/Users/${user.id}`).expect(200)).body;
  await scim.put(`/Users/${user.id}`, { ...current, displayName: 'Changed' }).expect(200);
  expect(await extension(user.id)).toMatchObject({ mfaRequired: true, mfaEnforced: true });
  const { [ROSTER_URN]: _ext, ...withoutExtension } = current;
  await scim.put(`/Users/${user.id}`, { ...withoutExtension, active: true }).expect(200);
  expect((await extension(user.id)).mfaRequired).toBe(true);
  await scim
    .put(`/Users/${user.id}`, { ...withoutExtension, [ROSTER_URN]: { mfaRequired: null } })
    .expect(200);
  expect(await extension(user.id)).not.toHaveProperty('mfaRequired');
});

test('the account and role flags show as mfaEnforced with mfaRequiredBy, whatever the user flag', async () => {
  const { account, owner, create, extension } = await setUp();
  const user = await create({ schemas: [USER_URN, ROSTER_URN], [ROSTER_URN]: { mfaRequired: false } });
  await roster.services.roles.assign(account.operator, user.id, 'admin');
  await roster.services.mfa.setRole(owner, 'admin', true);
  expect(await extension(user.id)).toMatchObject({
    mfaRequired: false,
    mfaEnforced: true,
    mfaRequiredBy: 'role',
  });
  await roster.services.mfa.set(owner, { required: true });
  expect(await extension(user.id)).toMatchObject({ mfaEnforced: true, mfaRequiredBy: 'account' });
});

test('an IdP change of the flag is audited through the scim channel', async () => {
  const { account, scim, create } = await setUp();
  const user = await create();
  await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: mfaPath, value: true })).expect(200);
  const { events } = await roster.services.audit.list(account.operator, {
    action: 'user.mfa_required_changed',
  });
  expect(events).toEqual([
    expect.objectContaining({
      channel: 'scim',
      actorKind: 'scim-token',
      subjectId: user.id,
      before: { mfaRequired: null },
      after: { mfaRequired: true },
    }),
  ]);
});

test('/Schemas: mfaRequired is readWrite; the rest of the extension is readOnly', async () => {
  const { scim } = await setUp();
  const schemas = (await scim.get('/Schemas').expect(200)).body.Resources as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const roster = schemas.find((s) => s.id === ROSTER_URN);
  const mutability = Object.fromEntries(
    (roster?.attributes as { name: string; mutability: string; type: string }[]).map((a) => [
      a.name,
      `${a.type}:${a.mutability}`,
    ]),
  );
  expect(mutability).toEqual({
    role: 'string:readOnly',
    roleKey: 'string:readOnly',
    roleSource: 'string:readOnly',
    roleGroup: 'string:readOnly',
    mfaRequired: 'boolean:readWrite',
    mfaEnforced: 'boolean:readOnly',
    mfaRequiredBy: 'string:readOnly',
  });
});
