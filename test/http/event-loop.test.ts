import { listen, type RawServer } from '../support/raw-http';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';
import { TestIdp } from '../support/test-idp';

/**
 * Each costly input is refused without holding the event loop: while the server reads it, a
 * health check keeps answering quickly. A generous bound: the stalls this guards against were
 * seconds long, a health check here takes 2-40 ms, and the server shares its process (and the
 * machine) with the test runner: one check took 572 ms in a full CI run, never alone.
 */
const healthBoundMs = 1000;

let roster: TestRoster;
let server: RawServer;
let scimAuth: Record<string, string>;
let apiAuth: Record<string, string>;
let accountId: string;
let userId: string;

beforeAll(async () => {
  roster = await startRoster();
  const account = await createAccount(roster);
  accountId = account.accountId;
  const scim = scimClient(roster, account.token);
  const owner = (await scim.get(`/Users/${account.ownerId}`)).body.userName;
  userId = (await scim.post('/Users', aUser('loop-target@example.test')).expect(201)).body.id as string;
  const key = (await roster.services.apiKeys.issueForMember(account.operator, owner as string)).secret;
  const idp = await TestIdp.start('okta');
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, {});
  scimAuth = { Authorization: `Bearer ${account.token}`, 'Content-Type': 'application/scim+json' };
  apiAuth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  server = await listen(roster.app);
});
afterAll(async () => {
  await server.close();
  await roster.stop();
});

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = (extra: Record<string, unknown>) =>
  JSON.stringify({ ...aUser(`loop${Math.random()}@example.test`), ...extra });
const orChain = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
const form = (xml: string) => `SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}`;
const laughs =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i ? i : ''};`.repeat(10)}">`).join('') +
  ']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;</samlp:Response>';

type Costly = [string, 'scim' | 'api' | 'sso', string, string];
const costly = (): Costly[] => [
  [
    'an extension given as a 1 MB string',
    'scim',
    '/scim/v2/Users',
    user({ [ENTERPRISE]: 'x'.repeat(1_000_000) }),
  ],
  ['a 1 MB title', 'scim', '/scim/v2/Users', user({ title: 't'.repeat(1_000_000) })],
  [
    '30,000 emails',
    'scim',
    '/scim/v2/Users',
    user({ emails: Array.from({ length: 30_000 }, (_, i) => ({ value: `e${i}@x.test` })) }),
  ],
  [
    'a User whose name nests 50,000 levels',
    'scim',
    '/scim/v2/Users',
    `{"userName":"deep","name":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
  ],
  [
    'a PATCH adding 30,000 emails',
    'scim',
    '/scim/v2/Users/USER',
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'add',
          path: 'emails',
          value: Array.from({ length: 30_000 }, (_, i) => ({ value: `p${i}@x.test` })),
        },
      ],
    }),
  ],
  [
    'a filter of 2,000 comparisons',
    'scim',
    '/scim/v2/Users/.search',
    JSON.stringify({ filter: orChain(2000) }),
  ],
  [
    'a filter nested 5,000 parentheses deep',
    'scim',
    '/scim/v2/Users/.search',
    JSON.stringify({ filter: `${'('.repeat(5000)}userName pr${')'.repeat(5000)}` }),
  ],
  ['a 50,000-level admin API body', 'api', '/api/v1/mappings', '['.repeat(50_000) + ']'.repeat(50_000)],
  ['a SAML response with a billion laughs', 'sso', `/sso/ACCOUNT/acs`, form(laughs)],
  [
    'a SAML response nested 10,000 deep',
    'sso',
    `/sso/ACCOUNT/acs`,
    form(
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'<e>'.repeat(10_000)}${'</e>'.repeat(10_000)}</samlp:Response>`,
    ),
  ],
];

test.each(costly())('%s is refused while /healthz keeps answering', async (_name, door, path, body) => {
  const headers =
    door === 'scim'
      ? scimAuth
      : door === 'api'
        ? apiAuth
        : { 'Content-Type': 'application/x-www-form-urlencoded' };
  let done = false;
  const method = path.endsWith('/USER') ? 'PATCH' : 'POST';
  const target = path.replace('ACCOUNT', accountId).replace('USER', userId);
  const refused = server.send(method, target, headers, body).finally(() => {
    done = true;
  });
  const health: number[] = [];
  while (!done) {
    const res = await server.send('GET', '/healthz');
    expect(res.status).toBe(200);
    health.push(res.elapsedMs);
  }
  const res = await refused;
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(Math.max(0, ...health)).toBeLessThan(healthBoundMs);
});
