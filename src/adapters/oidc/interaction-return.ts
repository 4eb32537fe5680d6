/** Where the SAML sign-in comes back to once Roster's session started (its RelayState). */
export const returnPath = (uid: string) => `/oidc/interaction/${uid}/login`;

/** Where a refused SAML sign-in is sent, so the product receives access_denied. */
export const refusedPath = (uid: string, reason: string) =>
  `/oidc/interaction/${uid}/refused?reason=${encodeURIComponent(reason)}`;

const returnPattern = /^\/oidc\/interaction\/([A-Za-z0-9_-]{1,64})\/login$/;

/** For a sign-in a product started (RelayState is a hand-off return path): where its refusal goes. */
export function handOffRefusalPath(relayState: string | null, reason: string): string | null {
  const match = relayState ? returnPattern.exec(relayState) : null;
  return match ? refusedPath(match[1], reason) : null;
}

/** Where the IdP's LogoutResponse sends a product's user back (the RelayState of Roster's LogoutRequest). */
export const logoutReturnPath = (key: string) => `/oidc/logout-return/${key}`;

const logoutReturnPattern = /^\/oidc\/logout-return\/[A-Za-z0-9_-]{16,64}$/;

export function isLogoutReturnPath(relayState: string): boolean {
  return logoutReturnPattern.test(relayState);
}
