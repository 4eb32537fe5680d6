import type { SignInRefusal } from '../../domain/sso/sign-in-rules';
import type { AccountChoice } from '../../domain/oidc/hand-off-service';

type AccountRefusal = Extract<AccountChoice, { refused: string }>['refused'];

/** Why a sign-in for a product was refused, in words the product can show or log. */
const descriptions = {
  unknown_account: 'The account named in the request does not exist or is closed',
  unclaimed_domain:
    'No account has claimed the domain of login_hint; name the account with the account parameter',
  domain_of_another_account: 'The domain of login_hint belongs to another account than the one named',
  no_account_named: 'Name the account (account parameter) or give login_hint with the user email',
  not_configured: 'The account has no SAML identity provider configured',
  malformed: 'The identity provider answer could not be read',
  no_name_id: 'The identity provider did not name the person (empty NameID)',
  unsigned: 'The identity provider answer was not signed',
  bad_signature: 'The identity provider answer had a bad signature',
  weak_algorithm: 'The identity provider answer used a weak algorithm',
  wrong_issuer: 'The answer came from another identity provider',
  expired: 'The identity provider answer expired',
  not_yet_valid: 'The identity provider answer is not valid yet',
  wrong_audience: 'The identity provider answer was meant for another service',
  wrong_destination: 'The identity provider answer was sent to another address',
  unknown_request: 'The identity provider answered a sign-in Roster did not start',
  idp_initiated_off: 'Sign-ins started by the identity provider are turned off for this account',
  idp_error: 'The identity provider reported an error',
  foreign_relay_state: 'The sign-in would have left Roster',
  replayed: 'The identity provider answer was used before',
  account_closed: 'The account is closed',
  unknown_user: 'The user is not provisioned in this account',
  ambiguous_user: 'The identity provider named more than one user',
  inactive_user: 'The user is deactivated',
  no_access: 'The user has no role in this account',
  mfa_not_proven: 'Multi-factor authentication is required and was not proven',
  mfa_step_up_failed: 'The authenticator code step did not complete',
  session_missing: 'The sign-in did not complete; start again',
} as const satisfies Record<SignInRefusal | AccountRefusal | 'session_missing', string>;

export type HandOffRefusal = keyof typeof descriptions;

export function isHandOffRefusal(value: unknown): value is HandOffRefusal {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(descriptions, value);
}

/**
 * The OAuth error a product receives at its redirect_uri for a refused sign-in (never a dead-end
 * page): access_denied, with the reason in error_description.
 */
export function accessDenied(reason: HandOffRefusal): { error: 'access_denied'; error_description: string } {
  return { error: 'access_denied', error_description: descriptions[reason] };
}
