/**
 * The brake on mass deprovisioning, in the feed: a held SCIM removal writes none of its events but
 * one `deprovisioning.brake_held` (not one per retry); an approval is `deprovisioning.brake_released`.
 */
import type { RosterEvent } from '../../src/domain/events/event-types';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster({ SCIM_DEACTIVATION_BRAKE_SHARE: '0.1', SCIM_DEACTIVATION_BRAKE_MINIMUM: '2' });
});
afterAll(() => roster.stop());

test('held removals write one brake_held and nothing of themselves; the approval is brake_released', async () => {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++)
    ids.push((await scim.post('/Users', aUser(`brake${i}@example.test`)).expect(201)).body.id);
  const from = await roster.events.latestPosition();
  const since = (): Promise<RosterEvent[]> =>
    roster.events.after({ accountId: account.accountId, after: from, limit: 1000 });
  const deactivate = (id: string) =>
    scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }));

  await deactivate(ids[0]).expect(200);
  await deactivate(ids[1]).expect(200);
  await deactivate(ids[2]).expect(503);
  await deactivate(ids[2]).expect(503); // the IdP retries
  await scim.delete(`/Users/${ids[3]}`).expect(503);
  let events = await since();
  expect(events.map((e) => e.type)).toEqual([
    'user.deactivated',
    'user.deactivated',
    'deprovisioning.brake_held',
  ]);
  expect(events[2]).toMatchObject({
    subject: { type: 'account', id: account.accountId },
    data: { recent: 2, limit: 2, windowMinutes: 60, actor: { kind: 'scim-token' } },
  });

  await roster.services.deprovisioning.approve(account.operator);
  await deactivate(ids[2]).expect(200);
  events = await since();
  expect(events.slice(3).map((e) => e.type)).toEqual(['deprovisioning.brake_released', 'user.deactivated']);
  expect(events[3].data).toMatchObject({ recent: 2, limit: 2, approvedUntil: expect.any(String) });
});
