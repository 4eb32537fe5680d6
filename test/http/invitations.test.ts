/**
 * Invitations (shared/seeds/000: valid 7 days; 001: see who is pending, resend): an Owner or Admin
 * invites by email, the person accepts with the secret the product mailed, unaccepted ones expire.
 * Expiry is tested by moving the clock, never by sleeping.
 */
import request from 'supertest';
import type { Actor } from '../../src/domain/actor';
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';

const dayMs = 24 * 60 * 60_000;
let now = Date.parse('2026-12-01T09:00:00Z');
const clock = { now: () => now };

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster({}, { clock });
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const member = async (role: string) => {
    counter += 1;
    const userName = `inviter${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    return apiClient(
      roster,
      (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret,
    );
  };
  const admin = await member('admin');
  const accept = (secret: string) => request(roster.app).post('/api/v1/invitations/accept').send({ secret });
  return { account, scim, admin, member, accept };
}

const email = () => {
  counter += 1;
  return `invitee${counter}@example.test`;
};

test('an Admin invites with a role; the person waits inactive, accepts once, and then has that role', async () => {
  const { admin, accept } = await setUp();
  const invitee = email();
  const sent = await admin.post('/invitations', { email: invitee, role: 'analyst' }).expect(201);
  expect(sent.body.secret).toMatch(/^rin_/);
  expect(sent.body.invitation).toMatchObject({
    userName: invitee,
    status: 'pending',
    sentCount: 1,
    expires: new Date(now + 7 * dayMs).toISOString(),
  });
  const waiting = (await admin.get(`/members/${sent.body.invitation.userId}`)).body;
  expect(waiting).toMatchObject({ status: 'inactive', role: 'analyst' });

  const accepted = await accept(sent.body.secret).expect(200);
  expect(accepted.body).toMatchObject({ userName: invitee, userId: sent.body.invitation.userId });
  expect((await admin.get(`/members/${sent.body.invitation.userId}`)).body).toMatchObject({
    status: 'active',
  });
  const listed = (await admin.get('/invitations')).body.invitations;
  expect(listed[0]).toMatchObject({
    userName: invitee,
    status: 'accepted',
    accepted: new Date(now).toISOString(),
  });
  expect((await accept(sent.body.secret)).body.error.code).toBe('invitation.already_accepted');
  expect((await accept('rin_not-a-real-secret')).status).toBe(404);
});

test('only those with users.invite may invite; the owner role and existing users are refused; nothing is created', async () => {
  const { admin, member } = await setUp();
  const analyst = await member('analyst');
  const invitee = email();
  expect((await analyst.post('/invitations', { email: invitee })).status).toBe(403);
  expect((await admin.post('/invitations', { email: invitee, role: 'owner' })).body.error.code).toBe(
    'role.owner_by_transfer_only',
  );
  expect(
    (await admin.get('/members?limit=100')).body.members.map((m: { userName: string }) => m.userName),
  ).not.toContain(invitee);
  await admin.post('/invitations', { email: invitee }).expect(201);
  expect((await admin.post('/invitations', { email: invitee })).body.error).toMatchObject({
    code: 'invitation.user_exists',
  });
});

test('after 7 days the link no longer works, the sweep records the expiry once, and a resend revives it', async () => {
  const { account, admin, accept } = await setUp();
  const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
  now += 7 * dayMs;
  const late = await accept(sent.secret);
  expect(late.status).toBe(412);
  expect(late.body.error.message).toMatch(/expired .* resend/);
  // Shown as expired at once, before the sweep has recorded it.
  const listed = (await admin.get('/invitations')).body.invitations as { id: string; status: string }[];
  expect(listed.find((i) => i.id === sent.invitation.id)?.status).toBe('expired');

  const first = await roster.jobs.run('invitation-expiry');
  expect(first.ran && first.outcome).toMatch(/^[1-9]\d* invitations? expired$/);
  expect(await roster.jobs.run('invitation-expiry')).toMatchObject({ outcome: '0 invitations expired' });
  const expired = await roster.services.audit.list(account.operator, { action: 'invitation.expired' });
  expect(expired.events).toHaveLength(1);
  expect(expired.events[0]).toMatchObject({
    actorKind: 'system',
    channel: 'job',
    subjectId: sent.invitation.id,
  });

  const resent = (await admin.post(`/invitations/${sent.invitation.id}/resend`).expect(200)).body;
  expect(resent.invitation).toMatchObject({
    status: 'pending',
    sentCount: 2,
    expires: new Date(now + 7 * dayMs).toISOString(),
  });
  expect((await accept(sent.secret)).status).toBe(404);
  await accept(resent.secret).expect(200);
});

test('a resend replaces the secret of a pending invitation; an accepted one cannot be resent', async () => {
  const { admin, accept } = await setUp();
  const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
  const resent = (await admin.post(`/invitations/${sent.invitation.id}/resend`).expect(200)).body;
  expect(resent.secret).not.toBe(sent.secret);
  expect((await accept(sent.secret)).status).toBe(404);
  await accept(resent.secret).expect(200);
  expect((await admin.post(`/invitations/${sent.invitation.id}/resend`)).status).toBe(409);
});

test('a pending invitation holds a seat; an expired one frees it', async () => {
  const { account, admin, scim } = await setUp();
  await roster.services.accounts.setSeatLimit(account.operator, 3); // the Owner, the Admin, one more
  const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
  const full = await admin.post('/invitations', { email: email() });
  expect(full.status).toBe(403);
  expect(full.body.error.code).toBe('account.seat_limit_reached');
  expect((await scim.post('/Users', aUser(email()))).status).toBe(403);

  now += 8 * dayMs;
  await roster.jobs.run('invitation-expiry');
  await scim.post('/Users', aUser(email())).expect(201);
  const revive = await admin.post(`/invitations/${sent.invitation.id}/resend`);
  expect(revive.body.error.code).toBe('account.seat_limit_reached');
});

describe('an invitation is settled when the IdP or a deletion decides first', () => {
  const deactivate = patchOp({ op: 'replace', path: 'active', value: false });
  const activate = patchOp({ op: 'replace', value: { active: true } });
  const invitationEvents = async (account: { operator: Actor }, invitationId: string) =>
    (await roster.services.audit.list(account.operator, { subjectId: invitationId })).events.map((e) => [
      e.action,
      e.channel,
      e.after,
    ]);

  test('the IdP deactivates an invited user: the old link is refused, nothing is activated, the invitation shows revoked', async () => {
    const { account, admin, scim, accept } = await setUp();
    const sent = (await admin.post('/invitations', { email: email(), role: 'analyst' }).expect(201)).body;
    const userId = sent.invitation.userId as string;
    await scim.patch(`/Users/${userId}`, deactivate).expect(200);

    const refused = await accept(sent.secret);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'invitation.revoked' });
    expect(refused.body.error.message).toMatch(/deactivated/);
    expect((await scim.get(`/Users/${userId}`)).body.active).toBe(false);
    const listed = (await admin.get('/invitations')).body.invitations as { id: string; status: string }[];
    expect(listed.find((i) => i.id === sent.invitation.id)?.status).toBe('revoked');
    expect(await invitationEvents(account, sent.invitation.id)).toEqual([
      ['invitation.revoked', 'scim', { status: 'revoked', reason: 'deactivated' }],
      ['invitation.sent', 'admin-api', expect.anything()],
    ]);
    // It cannot be revived behind the IdP's back either.
    expect((await admin.post(`/invitations/${sent.invitation.id}/resend`)).body.error.code).toBe(
      'invitation.settled',
    );
  });

  test('the IdP activates an invited user: one seat, not two; the invitation is settled as provisioned', async () => {
    const { account, admin, scim, accept } = await setUp();
    await roster.services.accounts.setSeatLimit(account.operator, 3); // the Owner, the Admin, the invitee
    const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
    const userId = sent.invitation.userId as string;
    expect((await admin.get('/account/seats')).body).toEqual({ limit: 3, used: 3 });

    // Their seat is the one the invitation holds: the account being full does not stop them.
    await scim.patch(`/Users/${userId}`, activate).expect(200);
    expect((await admin.get('/account/seats')).body).toEqual({ limit: 3, used: 3 });
    const listed = (await admin.get('/invitations')).body.invitations as { id: string; status: string }[];
    expect(listed.find((i) => i.id === sent.invitation.id)?.status).toBe('provisioned');
    expect(await invitationEvents(account, sent.invitation.id)).toEqual([
      ['invitation.provisioned', 'scim', { status: 'provisioned' }],
      ['invitation.sent', 'admin-api', expect.anything()],
    ]);
    expect((await scim.post('/Users', aUser(email()))).status).toBe(403);

    // The link no longer does anything: the IdP manages this person now.
    const late = await accept(sent.secret);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invitation.settled');
    // Nor does it come back to life once the IdP deactivates them.
    await scim.patch(`/Users/${userId}`, deactivate).expect(200);
    expect((await accept(sent.secret)).status).toBe(409);
    expect((await scim.get(`/Users/${userId}`)).body.active).toBe(false);
    expect((await admin.get('/account/seats')).body).toEqual({ limit: 3, used: 2 });
  });

  test('an active user whose invitation is still pending (data from before) holds one seat', async () => {
    const { admin, scim, accept } = await setUp();
    const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
    await scim.patch(`/Users/${sent.invitation.userId}`, activate).expect(200);
    // As an earlier version left it: the IdP activated them and the invitation stayed pending.
    await roster.dataSource.query(
      `UPDATE invitations SET status = 'pending', accepted_at = NULL WHERE id = ?`,
      [sent.invitation.id],
    );
    expect((await admin.get('/account/seats')).body).toEqual({ limit: null, used: 3 });
    // Deactivating them settles it, so the old link cannot bring them back.
    await scim.patch(`/Users/${sent.invitation.userId}`, deactivate).expect(200);
    expect((await admin.get('/account/seats')).body).toEqual({ limit: null, used: 2 });
    expect((await accept(sent.secret)).body.error.code).toBe('invitation.revoked');
  });

  test('deleting an invited user settles the invitation (audited) and frees its seat', async () => {
    const { account, admin, scim, accept } = await setUp();
    await roster.services.accounts.setSeatLimit(account.operator, 3);
    const sent = (await admin.post('/invitations', { email: email() }).expect(201)).body;
    await admin.delete(`/members/${sent.invitation.userId}`).expect(204);
    expect(await invitationEvents(account, sent.invitation.id)).toEqual([
      ['invitation.revoked', 'admin-api', { status: 'revoked', reason: 'deleted' }],
      ['invitation.sent', 'admin-api', expect.anything()],
    ]);
    expect((await accept(sent.secret)).status).toBe(404);
    expect((await admin.get('/account/seats')).body).toEqual({ limit: 3, used: 2 });
    await scim.post('/Users', aUser(email())).expect(201);
  });
});

test("Okta's re-POST of an invited user whose invitation is still pending (data from before) settles it and takes no second seat", async () => {
  const { account, admin, scim, accept } = await setUp();
  const invitee = email();
  const sent = (await admin.post('/invitations', { email: invitee }).expect(201)).body;
  // An IdP linked the invitee and left them inactive, as an earlier version allowed with the invitation pending.
  await scim
    .put(`/Users/${sent.invitation.userId}`, aUser(invitee, { externalId: '00u-dana', active: false }))
    .expect(200);
  await roster.dataSource.query(`UPDATE invitations SET status = 'pending' WHERE id = ?`, [
    sent.invitation.id,
  ]);
  await roster.services.accounts.setSeatLimit(account.operator, 3); // the Owner, the Admin, the invitee
  const back = await scim.post('/Users', aUser(invitee, { externalId: '00u-dana' }));
  expect(back.status).toBe(201);
  expect(back.body).toMatchObject({ id: sent.invitation.userId, active: true });
  expect((await admin.get('/account/seats')).body).toEqual({ limit: 3, used: 3 });
  expect((await accept(sent.secret)).body.error.code).toBe('invitation.settled');
});
