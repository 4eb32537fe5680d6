import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import {
  defaultMfaPolicy,
  mfaRequirementFor,
  provesMfa,
  type MfaPolicy,
} from '../../src/domain/mfa/mfa-policy';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const member = async (role: string | null) => {
    counter += 1;
    const userName = `mfa${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (role) await roster.services.roles.assign(account.operator, id, role);
    const actor: Actor = {
      kind: 'member',
      accountId: account.accountId,
      userId: id as UserId,
      channel: 'admin-api',
    };
    return { id, userName, actor };
  };
  const owner: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'admin-api',
  };
  const events = async (action: string) =>
    (await roster.services.audit.list(account.operator, { action })).events;
  return { account, member, owner, events };
}

describe('which flag requires MFA (pure)', () => {
  const policy = (change: Partial<MfaPolicy> = {}) => ({ ...defaultMfaPolicy(), ...change });

  test('nothing set: not required', () => {
    expect(mfaRequirementFor(policy(), 'admin', null)).toEqual({ required: false, because: null });
  });

  test('the strictest flag applies, and a user flag of false exempts nobody', () => {
    expect(mfaRequirementFor(policy({ required: true }), 'admin', false)).toEqual({
      required: true,
      because: 'account',
    });
    expect(mfaRequirementFor(policy({ roleKeys: ['owner', 'admin'] }), 'admin', false)).toEqual({
      required: true,
      because: 'role',
    });
    expect(mfaRequirementFor(policy({ roleKeys: ['owner', 'admin'] }), 'analyst', true)).toEqual({
      required: true,
      because: 'user',
    });
    expect(mfaRequirementFor(policy({ roleKeys: ['admin'] }), null, null)).toEqual({
      required: false,
      because: null,
    });
  });

  test("by default, Entra's and Okta's multi-factor values prove MFA and a password does not", () => {
    const p = policy();
    const entra = 'http://schemas.microsoft.com/claims/multipleauthn';
    expect(
      provesMfa(p, {
        authnMethods: [
          'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
          entra,
        ],
      }),
    ).toBe(true);
    expect(provesMfa(p, { authnContextClassRefs: [entra] })).toBe(true);
    expect(provesMfa(p, { authnMethods: ['pwd', 'mfa', 'swk'] })).toBe(true);
    expect(provesMfa(p, { authnContextClassRefs: ['urn:okta:loa:2fa:any'] })).toBe(true);
    expect(
      provesMfa(p, {
        authnContextClassRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
        authnMethods: ['pwd'],
      }),
    ).toBe(false);
    expect(provesMfa(p, {})).toBe(false);
    expect(provesMfa(policy({ acceptedAuthnMethods: ['hwk'] }), { authnMethods: ['mfa'] })).toBe(false);
  });
});

test('a new account has the default policy: nobody required, the IdP values, TOTP step-up allowed', async () => {
  const { owner } = await setUp();
  expect(await roster.services.mfa.get(owner)).toEqual(defaultMfaPolicy());
  expect(defaultMfaPolicy().allowTotpStepUp).toBe(true);
});

test('the Owner changes the policy; fields left out keep their value; the change is audited', async () => {
  const { owner, events } = await setUp();
  await roster.services.mfa.set(owner, { required: true, acceptedAuthnMethods: ['mfa', ' hwk '] });
  const after = await roster.services.mfa.set(owner, { allowTotpStepUp: false });
  expect(after).toMatchObject({
    required: true,
    acceptedAuthnMethods: ['mfa', 'hwk'],
    allowTotpStepUp: false,
    acceptedAuthnContextClassRefs: defaultMfaPolicy().acceptedAuthnContextClassRefs,
  });
  expect(await roster.services.mfa.get(owner)).toEqual(after);
  const changes = await events('mfa.policy_changed');
  expect(changes).toHaveLength(2);
  expect(changes[0]).toMatchObject({
    channel: 'admin-api',
    before: { allowTotpStepUp: true },
    after: { allowTotpStepUp: false },
  });
});

test('role flags: on and off per role; an unknown role is refused', async () => {
  const { owner, member } = await setUp();
  const admin = await member('admin');
  const analyst = await member('analyst');
  await roster.services.mfa.setRole(owner, 'admin', true);
  await roster.services.mfa.setRole(owner, 'owner', true);
  expect((await roster.services.mfa.get(owner)).roleKeys).toEqual(['owner', 'admin']);
  expect((await roster.services.members.get(owner, admin.id)).mfa).toEqual({
    required: true,
    because: 'role',
    userFlag: null,
  });
  expect((await roster.services.members.get(owner, analyst.id)).mfa.required).toBe(false);
  await roster.services.mfa.setRole(owner, 'admin', false);
  expect((await roster.services.members.get(owner, admin.id)).mfa.required).toBe(false);
  await expect(roster.services.mfa.setRole(owner, 'wizard', true)).rejects.toMatchObject({
    code: 'role.unknown',
  });
});

test('a policy nothing could satisfy is refused', async () => {
  const { owner } = await setUp();
  await expect(
    roster.services.mfa.set(owner, {
      acceptedAuthnContextClassRefs: [],
      acceptedAuthnMethods: [],
      allowTotpStepUp: false,
    }),
  ).rejects.toMatchObject({ kind: 'invalid', code: 'mfa.unprovable' });
  expect(await roster.services.mfa.get(owner)).toEqual(defaultMfaPolicy());
});

test('only the Owner and Admins change MFA settings; a Manager cannot', async () => {
  const { owner, member } = await setUp();
  const admin = await member('admin');
  const manager = await member('manager');
  const target = await member('analyst');
  await roster.services.mfa.set(admin.actor, { required: true });
  await expect(roster.services.mfa.set(manager.actor, { required: false })).rejects.toMatchObject({
    code: 'access.denied',
  });
  await expect(roster.services.mfa.setUserRequirement(manager.actor, target.id, true)).rejects.toMatchObject({
    code: 'access.denied',
  });
  expect((await roster.services.mfa.get(owner)).required).toBe(true);
});

test("a user's own flag: set, cleared, audited with its channel; only the Owner changes the Owner's", async () => {
  const { account, owner, member, events } = await setUp();
  const admin = await member('admin');
  const user = await member('analyst');
  expect(await roster.services.mfa.setUserRequirement(admin.actor, user.userName, true)).toEqual({
    required: true,
    because: 'user',
  });
  expect((await roster.services.members.get(owner, user.id)).mfa).toEqual({
    required: true,
    because: 'user',
    userFlag: true,
  });
  await roster.services.mfa.setUserRequirement(account.operator, user.id, null);
  expect((await roster.services.members.get(owner, user.id)).mfa.userFlag).toBeNull();
  const changes = await events('user.mfa_required_changed');
  expect(changes.map((e) => [e.channel, e.before, e.after])).toEqual([
    ['cli', { mfaRequired: true }, { mfaRequired: null }],
    ['admin-api', { mfaRequired: null }, { mfaRequired: true }],
  ]);
  await expect(
    roster.services.mfa.setUserRequirement(admin.actor, account.ownerId, false),
  ).rejects.toMatchObject({ code: 'account.owner_protected' });
  await roster.services.mfa.setUserRequirement(owner, account.ownerId, true);
  expect((await roster.services.members.get(owner, account.ownerId)).mfa.userFlag).toBe(true);
  await expect(
    roster.services.mfa.setUserRequirement(owner, 'nobody@example.test', true),
  ).rejects.toMatchObject({
    code: 'user.not_found',
  });
});

test('support staff, even under an active grant, can never change MFA settings', async () => {
  const { account, owner, member } = await setUp();
  const user = await member('analyst');
  await roster.services.support.grant(owner, { days: 7 });
  const { secret } = await roster.services.support.openSession(account.operator, 'Sam');
  const support = await roster.services.support.authenticate(secret);
  await expect(roster.services.mfa.set(support, { required: false })).rejects.toMatchObject({
    kind: 'forbidden',
  });
  await expect(roster.services.mfa.setRole(support, 'admin', false)).rejects.toMatchObject({
    kind: 'forbidden',
  });
  await expect(roster.services.mfa.setUserRequirement(support, user.id, false)).rejects.toMatchObject({
    kind: 'forbidden',
  });
});

test('the SAML login reads the policy and one user’s requirement without an actor', async () => {
  const { account, owner, member } = await setUp();
  const admin = await member('admin');
  await roster.services.mfa.setRole(owner, 'admin', true);
  const login = await roster.services.mfa.forLogin(account.accountId, admin.id as UserId);
  expect(login.requirement).toEqual({ required: true, because: 'role' });
  expect(provesMfa(login.policy, { authnMethods: ['mfa'] })).toBe(true);
});
