import request from 'supertest';
import { aUser, patchOp, scimClient, type TestAccount } from './roster';
import { startHandOffRoster, type HandOffRig } from './oidc-flow';
import { SsfReceiver, type ReceivedSet } from './ssf-receiver';
import { sessionCookieOf } from './sso-session';
import { TestIdp } from './test-idp';

export const caep = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const disabled = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
export const enabled = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
export const purged = 'https://schemas.openid.net/secevent/risc/event-type/account-purged';
export const verification = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** A listening Roster with the OpenID Provider's keys (so Shared Signals is on) and a SAML IdP. */
export async function startSsfRig(env: Record<string, string> = {}) {
  const rig = await startHandOffRoster(env);
  const idp = await TestIdp.start('okta');
  await rig.roster.services.sso.configure(rig.account.operator, { metadataXml: idp.metadataXml() });
  let counter = 0;

  /** A receiver discovering this Roster, with the account's service key. */
  const receiverFor = async (account: TestAccount) => {
    const key = (await rig.roster.services.apiKeys.issueService(account.operator)).secret;
    return SsfReceiver.discover(rig.url, key);
  };

  /** A user provisioned over SCIM with a role, optionally signed in through SAML (a Roster session). */
  const aPerson = async (options: { signedIn?: boolean; account?: TestAccount } = {}) => {
    const account = options.account ?? rig.account;
    counter += 1;
    const userName = `leaver${counter}-${Date.now()}@acme.test`;
    const scim = scimClient(rig.roster, account.token);
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await rig.roster.services.roles.assign(account.operator, id, 'analyst');
    if (options.signedIn) {
      if (account !== rig.account) {
        await rig.roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() });
      }
      const base = `${rig.url}/sso/${account.accountId}`;
      const response = idp.response({
        nameId: userName,
        acsUrl: `${base}/acs`,
        audience: `${base}/metadata`,
        now: Date.now(),
      });
      const acs = await request(rig.roster.app)
        .post(`/sso/${account.accountId}/acs`)
        .type('form')
        .send({ SAMLResponse: response });
      if (acs.status !== 303 || !sessionCookieOf(acs)) throw new Error(`sign-in failed: ${acs.status}`);
    }
    const setActive = (active: boolean) =>
      scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: active })).expect(200);
    return { id, userName, scim, setActive };
  };

  return { rig, idp, receiverFor, aPerson };
}

export type SsfRig = Awaited<ReturnType<typeof startSsfRig>>;
export type { HandOffRig };

/** The SETs about this user (by its id in the subject). */
export const about = (sets: readonly ReceivedSet[], userId: string) =>
  sets.filter((s) => JSON.stringify(s.payload.sub_id).includes(userId));
