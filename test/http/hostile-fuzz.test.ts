import { writeFileSync } from 'node:fs';
import { hostileRequests, type HostileTargets } from '../support/hostile-requests';
import { listen, type RawServer } from '../support/raw-http';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';
import { TestIdp } from '../support/test-idp';

/**
 * A seeded run of hostile requests across SCIM, /api/v1 and the SSO pages: none may answer 5xx,
 * and none may take long (a stall here is event-loop time every other request waits for).
 * FUZZ_SEED and FUZZ_REQUESTS replay or widen a run by hand; the suite runs the defaults.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261205);
const count = Number(process.env.FUZZ_REQUESTS ?? 400);
/** Generous: on a shared 2-CPU machine a normal request takes milliseconds. */
const slowMs = 1500;

let roster: TestRoster;
let server: RawServer;
let targets: HostileTargets;

beforeAll(async () => {
  roster = await startRoster();
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const owner = (await scim.get(`/Users/${account.ownerId}`)).body.userName as string;
  const apiKey = (await roster.services.apiKeys.issueForMember(account.operator, owner)).secret;
  const user = await scim.post('/Users', aUser('fuzz-target@example.test')).expect(201);
  const group = await scim
    .post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Fuzz' })
    .expect(201);
  const mapping = await roster.services.mappings.add(account.operator, {
    matchKind: 'displayName',
    matchValue: 'Fuzz',
    roleKey: 'analyst',
  });
  const child = await roster.services.children.createChild(account.operator, { name: 'Fuzz child' });
  const idp = await TestIdp.start('okta');
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, {});
  targets = {
    scimToken: account.token,
    apiKey,
    userId: user.body.id as string,
    groupId: group.body.id as string,
    mappingId: mapping.id,
    childId: child.account.id,
    accountId: account.accountId,
  };
  server = await listen(roster.app);
});
afterAll(async () => {
  await server.close();
  await roster.stop();
});

test(`${count} hostile requests (seed ${seed}) get no 5xx and none is slow`, async () => {
  const failures: string[] = [];
  const requests = hostileRequests(seed, count, targets);
  for (const [i, r] of requests.entries()) {
    const res = await server.send(r.method, r.path, r.headers, r.body);
    if (res.status >= 500 || res.elapsedMs > slowMs) {
      const shown = (r.body ?? '').slice(0, 200);
      failures.push(
        `#${i} ${r.label}: ${res.status} in ${Math.round(res.elapsedMs)} ms\n   ${r.method} ${r.path.slice(0, 200)}\n   ${shown}\n   -> ${res.text.slice(0, 200)}`,
      );
    }
  }
  if (failures.length > 0 && process.env.FUZZ_REPORT) {
    writeFileSync(process.env.FUZZ_REPORT, failures.join('\n'));
  }
  expect(failures).toEqual([]);
});
