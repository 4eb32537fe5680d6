import { aUser, apiClient, createAccount, scimClient, type TestAccount } from '../support/roster';
import { startHandOffRoster, type HandOffRig } from '../support/oidc-flow';

/** Email domains an account claims: one spelling, one account, look-alikes refused (both databases). */
let rig: HandOffRig;
let second: TestAccount;

beforeAll(async () => {
  rig = await startHandOffRoster();
  second = await createAccount(rig.roster, 'Second');
});

afterAll(async () => {
  await rig?.stop();
});

const domains = () => rig.roster.services.domains;

test('a domain is stored in one spelling, so case, width and a trailing dot name the same domain', async () => {
  expect((await domains().claim(rig.account.operator, 'Spelling.Example')).domain).toBe('spelling.example');
  for (const variant of ['SPELLING.example', 'ｓｐｅｌｌｉｎｇ.example', 'spelling.example.']) {
    await expect(domains().claim(second.operator, variant)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'domain.taken',
    });
  }
  // Claiming again for the same account is not an error.
  expect((await domains().claim(rig.account.operator, 'spelling.EXAMPLE')).accountId).toBe(
    rig.account.accountId,
  );
});

test('internationalised domains are stored as punycode; look-alikes of another domain are refused', async () => {
  expect((await domains().claim(rig.account.operator, 'bücher.example')).domain).toBe(
    'xn--bcher-kva.example',
  );
  await expect(domains().claim(second.operator, 'xn--bcher-kva.example')).rejects.toMatchObject({
    code: 'domain.taken',
  });
  for (const lookAlike of ['аcme.example', 'xn--cme-5cd.example', 'асе.example', 'ρayρal.example']) {
    await expect(domains().claim(second.operator, lookAlike)).rejects.toMatchObject({
      kind: 'invalid',
      code: 'domain.invalid',
    });
  }
  for (const broken of ['', 'localhost', 'a..b', '-a.example', '1.2.3.4', 'a_b.example', 'x'.repeat(300)]) {
    await expect(domains().claim(second.operator, broken)).rejects.toMatchObject({ code: 'domain.invalid' });
  }
});

test('two accounts racing for one domain: exactly one holds it', async () => {
  const results = await Promise.allSettled([
    domains().claim(rig.account.operator, 'race.example'),
    domains().claim(second.operator, 'race.example'),
    domains().claim(rig.account.operator, 'RACE.example'),
    domains().claim(second.operator, 'race.example.'),
  ]);
  const holders = new Set(results.filter((r) => r.status === 'fulfilled').map((r) => r.value.accountId));
  expect(holders.size).toBe(1);
  const rows = await rig.roster.database.query(
    "SELECT account_id FROM account_domains WHERE domain = 'race.example'",
  );
  expect(rows).toHaveLength(1);
});

async function ownerKey(account: TestAccount): Promise<string> {
  const [owner] = await rig.roster.database.query(
    `SELECT user_name FROM users WHERE id = '${account.ownerId}'`,
  );
  return (await rig.roster.services.apiKeys.issueForMember(account.operator, String(owner.user_name))).secret;
}

test('an Owner claims and releases domains through /api/v1', async () => {
  const api = apiClient(rig.roster, await ownerKey(second));
  const claimed = await api.post('/domains', { domain: 'Owner.Example' }).expect(201);
  expect(claimed.body.domain).toBe('owner.example');
  expect(
    (await api.get('/domains').expect(200)).body.domains.map((d: { domain: string }) => d.domain),
  ).toContain('owner.example');
  const taken = await apiClient(rig.roster, await ownerKey(rig.account))
    .post('/domains', { domain: 'owner.example' })
    .expect(409);
  expect(taken.body.error.code).toBe('domain.taken');
  await api.post('/domains', { domain: 'аcme.example' }).expect(400);
  await api.post('/domains', { domain: 42 }).expect(400);
  await api.delete('/domains/owner.example').expect(204);
  await api.delete('/domains/owner.example').expect(404);
  const audit = await rig.roster.services.audit.list(second.operator, { action: 'account.domain_claimed' });
  expect(audit.events.map((e) => e.after)).toContainEqual({ domain: 'owner.example' });
});

test("an Admin (who may configure SSO) may not claim a domain: that is the Owner's call", async () => {
  const userName = 'admin@second.example';
  const scim = scimClient(rig.roster, second.token);
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(second.operator, id, 'admin');
  const key = (await rig.roster.services.apiKeys.issueForMember(second.operator, userName)).secret;
  const refused = await apiClient(rig.roster, key).post('/domains', { domain: 'admin.example' }).expect(403);
  expect(refused.body.error.code).toBe('domain.owner_only');
  expect(await domains().list(second.operator)).not.toContainEqual(
    expect.objectContaining({ domain: 'admin.example' }),
  );
});
