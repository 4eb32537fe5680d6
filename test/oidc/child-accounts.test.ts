import * as client from 'openid-client';
import type { Actor } from '../../src/domain/actor';
import type { AccountId, UserId } from '../../src/domain/ids';
import { Receiver } from '../support/backchannel-receiver';
import { aUser, patchOp, scimClient } from '../support/roster';
import { TestIdp } from '../support/test-idp';
import {
  authorization,
  Browser,
  exchange,
  registerProduct,
  signInThrough,
  startHandOffRoster,
  type HandOffRig,
  type Product,
} from '../support/oidc-flow';

/**
 * A parent's user signs in to a product in a child account (as their managed user there): when
 * they leave the parent, or lose their access to the child, the product is told like for any leaver.
 */
let rig: HandOffRig;
let idp: TestIdp;
let receiver: Receiver;
let product: Product;
let owner: Actor;
let childId: AccountId;

beforeAll(async () => {
  rig = await startHandOffRoster();
  owner = {
    kind: 'member',
    accountId: rig.account.accountId,
    userId: rig.account.ownerId as UserId,
    channel: 'admin-api',
  };
  childId = (await rig.roster.services.children.createChild(owner, { name: 'Acme EU' })).account.id;
  idp = await TestIdp.start('okta');
  const childOperator: Actor = { ...rig.account.operator, accountId: childId } as Actor;
  await rig.roster.services.sso.configure(childOperator, { metadataXml: idp.metadataXml() });
  receiver = await Receiver.start();
  product = await registerProduct(rig, { backchannelLogoutUri: receiver.url });
});

afterAll(async () => {
  await rig?.stop();
  await receiver?.stop();
});

let counter = 0;
/** A parent user with access to the child, signed in to the product in the child. */
async function signedInAtChild() {
  counter += 1;
  const userName = `parent${counter}@acme.test`;
  const scim = scimClient(rig.roster, rig.account.token);
  const homeId = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  await rig.roster.services.roles.assign(owner, homeId, 'analyst');
  await rig.roster.services.children.setAccess(owner, userName, childId, { access: true, role: 'analyst' });
  const auth = await authorization(product, { account: childId });
  const end = await signInThrough(new Browser(rig.url), idp, auth.url, userName);
  const tokens = await exchange(product, end.url, auth);
  expect(tokens.claims()?.account_id).toBe(childId);
  return { homeId, userName, scim, tokens, managedId: String(tokens.claims()?.sub) };
}

function subOf(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub?: unknown }).sub;
}

test('deactivating a parent user tells the product of their sign-in in the child account', async () => {
  const before = receiver.tokens.length;
  const person = await signedInAtChild();
  await person.scim
    .patch(`/Users/${person.homeId}`, patchOp({ op: 'replace', path: 'active', value: false }))
    .expect(200);
  expect(subOf(await receiver.next(before + 1))).toBe(person.managedId);
  await expect(
    client.fetchUserInfo(product.config, person.tokens.access_token, person.managedId),
  ).rejects.toThrow();
});

test("taking away a parent user's access to the child tells the product of their sign-in there", async () => {
  const before = receiver.tokens.length;
  const person = await signedInAtChild();
  await rig.roster.services.children.setAccess(owner, person.userName, childId, { access: false });
  expect(subOf(await receiver.next(before + 1))).toBe(person.managedId);
  await expect(
    client.fetchUserInfo(product.config, person.tokens.access_token, person.managedId),
  ).rejects.toThrow();
});
