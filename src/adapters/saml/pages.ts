import { textLimits } from '../../domain/text';
import type { SignInRefusal } from '../../domain/sso/sign-in-rules';

/** What a person reads when Roster refuses their sign-in: what happened and what to do, no jargon. */
export const refusalWords: Record<SignInRefusal, { title: string; advice: string }> = {
  not_configured: {
    title: 'Single sign-on is not set up for this account',
    advice: "Ask your administrator to connect your company's identity provider to Roster.",
  },
  malformed: {
    title: 'The sign-in message could not be read',
    advice: 'Start again from your company sign-in page. If it keeps happening, tell your administrator.',
  },
  unsigned: {
    title: 'The sign-in message was not signed by your identity provider',
    advice: 'Roster only trusts signed sign-ins. Your administrator should check the SAML app settings.',
  },
  bad_signature: {
    title: "The sign-in message's signature does not match your company's identity provider",
    advice:
      'It may have been changed on the way, or come from another identity provider. Start again from your company sign-in page.',
  },
  weak_algorithm: {
    title: 'The sign-in message was signed with an outdated algorithm',
    advice: 'Your administrator should set the SAML app to sign with SHA-256.',
  },
  wrong_issuer: {
    title: 'The sign-in came from an identity provider this account does not use',
    advice: "Start again from your company's sign-in page for this account.",
  },
  expired: {
    title: 'The sign-in took too long and expired',
    advice:
      'Start again from your company sign-in page. If your clock is far off, your administrator can check it.',
  },
  not_yet_valid: {
    title: 'The sign-in is not valid yet',
    advice:
      "Your identity provider's clock seems ahead of Roster's. Try again in a minute, or tell your administrator.",
  },
  wrong_audience: {
    title: 'The sign-in was meant for another application',
    advice: "Your administrator should check the app's Audience (SP entity id) in the identity provider.",
  },
  wrong_destination: {
    title: 'The sign-in was sent to a different address',
    advice:
      "Your administrator should check the app's Single sign-on URL (ACS URL) in the identity provider.",
  },
  unknown_request: {
    title: 'This sign-in does not answer a request Roster made',
    advice: 'It may be old or already used. Start again from the Roster sign-in page.',
  },
  idp_initiated_off: {
    title: 'This account only accepts sign-ins started from Roster',
    advice: 'Open the Roster sign-in page for your account instead of the dashboard tile.',
  },
  idp_error: {
    title: 'Your identity provider did not sign you in',
    advice: 'Check the message on your company sign-in page, or ask your administrator.',
  },
  no_name_id: {
    title: 'The sign-in did not say who you are',
    advice: 'Your administrator should check which user identifier (NameID) the SAML app sends.',
  },
  foreign_relay_state: {
    title: 'This sign-in link would send you to another website afterwards',
    advice: 'Roster only returns you to its own pages. Use the sign-in link your administrator gave you.',
  },
  replayed: {
    title: 'This sign-in was already used',
    advice: 'Each sign-in works once. Start again from your company sign-in page.',
  },
  account_closed: {
    title: 'This Roster account is closed',
    advice: 'Ask your administrator if you think this is a mistake.',
  },
  unknown_user: {
    title: 'You do not have a user in this Roster account',
    advice:
      'Users are added by your company (through its identity provider or HR system). Ask your administrator.',
  },
  ambiguous_user: {
    title: 'More than one user in this account has your email address',
    advice: 'Your administrator needs to fix the duplicate before you can sign in.',
  },
  inactive_user: {
    title: 'Your user in this Roster account is deactivated',
    advice: 'Ask your administrator to reactivate you if you still need access.',
  },
  no_access: {
    title: 'You do not have access to this Roster account yet',
    advice: 'You have no role here. Ask your administrator to give you one (usually through a group).',
  },
  mfa_not_proven: {
    title: 'Your identity provider did not confirm a second factor (MFA)',
    advice:
      'Sign in again with multi-factor authentication at your company sign-in page, or ask your administrator.',
  },
  mfa_step_up_failed: {
    title: 'The verification code step did not complete',
    advice: 'Start again from your company sign-in page.',
  },
};

/** Every SAML page escapes what it shows with this (names and URLs come from the IdP). */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The one HTML frame of Roster's sign-in pages. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Roster</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>${body}</main></body></html>
`;
}

/** `policy`: the rule that refused, in words (the MFA policy that applied). */
export function refusalPage(reason: SignInRefusal, requestId: string, policy?: string): string {
  const words = refusalWords[reason];
  const rule = policy ? `<p id="policy">${escape(policy)}</p>` : '';
  return page(
    words.title,
    `<h1>Sign-in refused</h1><p id="reason" data-reason="${reason}">${escape(words.title)}.</p>` +
      `${rule}<p>${escape(words.advice)}</p><p><small>Reference: ${escape(requestId)}</small></p>`,
  );
}

/** A request Roster could not read (too large, a broken address): nothing was done. */
export function requestRefusedPage(message: string, requestId: string): string {
  return page(
    'Request refused',
    `<h1>Request refused</h1><p id="reason" data-reason="bad_request">${escape(message)}.</p>` +
      `<p>Start again from your company sign-in page.</p><p><small>Reference: ${escape(requestId)}</small></p>`,
  );
}

/** Who is signed in, where, as what: the landing page after a sign-in, with the way out. */
export interface LandingView {
  accountId: string;
  accountName: string;
  userName: string;
  roleName: string;
  mfa: string;
  csrfToken: string;
}

export function landingPage(view: LandingView): string {
  return page(
    'Signed in',
    `<h1>Signed in to ${escape(view.accountName)}</h1>` +
      `<p>You are signed in as user <strong id="user">${escape(view.userName)}</strong>` +
      ` with the role <strong id="role">${escape(view.roleName)}</strong>` +
      ` in the account <strong id="account">${escape(view.accountName)}</strong>.</p>` +
      `<p>Second factor at sign-in: <span id="mfa">${escape(view.mfa)}</span>.</p>` +
      `<form id="logout" method="post" action="/sso/${escape(view.accountId)}/logout">` +
      `<input type="hidden" name="csrf" value="${escape(view.csrfToken)}">` +
      `<button type="submit">Sign out</button></form>`,
  );
}

/** No session (or it ended): the landing page asks the person to sign in. */
export function signInPage(accountId: string): string {
  return page(
    'Sign in',
    `<h1>Please sign in</h1><p id="reason" data-reason="signed_out">You are not signed in to this account, or your session has ended.</p>` +
      `<p><a id="sign-in" href="/sso/${escape(accountId)}/login">Sign in with your company account</a></p>`,
  );
}

export function signedOutPage(accountId: string): string {
  return page(
    'Signed out',
    `<h1>You are signed out</h1><p>Your Roster session has ended.</p>` +
      `<p><a id="sign-in" href="/sso/${escape(accountId)}/login">Sign in again</a></p>`,
  );
}

export function logoutRefusedPage(accountId: string): string {
  return page(
    'Sign-out refused',
    `<h1>Sign-out refused</h1><p id="reason" data-reason="csrf">This sign-out did not come from Roster's own page.</p>` +
      `<p><a href="/sso/${escape(accountId)}/home">Go to your Roster page</a> and use its Sign out button.</p>`,
  );
}

/**
 * A RelayState is followed only when it is a path on Roster's own origin ("/x", not "//evil" or
 * "https://evil"); anything else is dropped.
 */
export function sameOriginPath(relayState: unknown, publicUrl: string): string | null {
  if (typeof relayState !== 'string' || !relayState.startsWith('/') || relayState.startsWith('//'))
    return null;
  if (relayState.includes('\\')) return null;
  // Kept with a pending login (VARCHAR(2048)); no path of Roster's is longer.
  if (relayState.length > textLimits.url) return null;
  try {
    const origin = new URL(publicUrl).origin;
    const target = new URL(relayState, origin);
    return target.origin === origin ? target.pathname + target.search + target.hash : null;
  } catch {
    return null;
  }
}
