import { mfaEvidenceOf } from '../../src/adapters/saml/mfa-evidence';
import { mfaDecision, requestedAuthnContext } from '../../src/domain/mfa/mfa-login';
import { defaultMfaPolicy, mfaRequirementFor } from '../../src/domain/mfa/mfa-policy';
import { TestIdp } from '../support/test-idp';

const policy = { ...defaultMfaPolicy(), roleKeys: ['admin'] };
const required = mfaRequirementFor(policy, 'admin', null);

test('mfaDecision: not required, proven by the IdP, step-up, or refused when step-up is off', () => {
  expect(mfaDecision(policy, mfaRequirementFor(policy, 'analyst', false), {})).toEqual({
    kind: 'satisfied',
    mfa: { method: 'not_required', detail: null },
  });
  expect(mfaDecision(policy, required, { authnMethods: ['pwd', 'mfa'] })).toEqual({
    kind: 'satisfied',
    mfa: { method: 'idp', detail: 'authentication method mfa' },
  });
  expect(mfaDecision(policy, required, { authnContextClassRefs: ['urn:okta:loa:1fa:any'] })).toEqual({
    kind: 'step_up',
    because: 'role',
  });
  expect(mfaDecision({ ...policy, allowTotpStepUp: false }, required, {})).toEqual({
    kind: 'refused',
    because: 'role',
  });
});

test('the AuthnRequest asks for MFA only when the account requires it of everyone', () => {
  expect(requestedAuthnContext(policy)).toBeNull();
  expect(requestedAuthnContext({ ...policy, required: true })).toEqual(policy.acceptedAuthnContextClassRefs);
});

test("the evidence is read from the assertion's AuthnContextClassRef and method attributes", async () => {
  const idp = await TestIdp.start('evidence');
  const xml = idp.responseXml({
    nameId: 'a@example.test',
    acsUrl: 'https://sp/acs',
    audience: 'https://sp',
    now: Date.now(),
    authnContextClassRef: 'urn:okta:loa:2fa:any',
    attributes: { amr: ['pwd', 'otp'], department: ['mfa'] },
  });
  expect(mfaEvidenceOf(xml)).toEqual({
    authnContextClassRefs: ['urn:okta:loa:2fa:any'],
    authnMethods: ['pwd', 'otp'],
  });
});
