import type { SessionMfa } from '../../domain/sso/sso-ports';

/**
 * How MFA was met, in the words of RFC 8176 (amr) and as acr: `mfa` when the IdP proved a second
 * factor, `otp` (with `mfa`) when Roster's authenticator code did, `pwd` when MFA was not required
 * (the IdP's sign-in, usually a password).
 */
export function authenticationMethods(mfa: SessionMfa): { amr: string[]; acr: 'mfa' | 'otp' | 'pwd' } {
  switch (mfa.method) {
    case 'idp':
      return { amr: ['mfa'], acr: 'mfa' };
    case 'totp':
      return { amr: ['otp', 'mfa'], acr: 'otp' };
    case 'not_required':
      return { amr: ['pwd'], acr: 'pwd' };
  }
}

export const acrValues = ['pwd', 'mfa', 'otp'];
