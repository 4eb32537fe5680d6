import type { AccountClaims } from 'oidc-provider';
import type { HandOffClaims } from '../../domain/oidc/hand-off-service';

/**
 * What the ID token and userinfo say (docs/oidc.md): the user id as `sub`, the
 * account, the effective role and its permissions from the role store, email and name. userinfo
 * also repeats how the person signed in (amr, acr, auth_time, sid), which the provider puts in the
 * ID token by itself.
 */
export function claimsOf(
  claims: HandOffClaims,
  signIn: { session?: { amr?: string[]; acr?: string; loginTs?: number }; sid?: string } | null,
): AccountClaims {
  return {
    sub: claims.userId,
    account_id: claims.accountId,
    account_name: claims.accountName,
    role: claims.role.key,
    role_name: claims.role.name,
    permissions: claims.permissions,
    preferred_username: claims.userName,
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.name ? { name: claims.name } : {}),
    ...(signIn?.session
      ? {
          amr: signIn.session.amr,
          acr: signIn.session.acr,
          auth_time: signIn.session.loginTs,
        }
      : {}),
    ...(signIn?.sid ? { sid: signIn.sid } : {}),
  };
}
