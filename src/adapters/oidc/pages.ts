import { escape, page } from '../saml/pages';

/** The provider's own error page (a request it cannot send back to a product): what and why, escaped. */
export function errorPage(out: { error?: string; error_description?: string }): string {
  const error = escape(String(out.error ?? 'server_error'));
  const description = escape(String(out.error_description ?? 'The sign-in request could not be handled'));
  return page(
    'Sign-in request refused',
    `<h1>Sign-in request refused</h1><p>${description}</p><p>Error: <code>${error}</code>. Go back to the application and start again; if it keeps happening, tell its administrator.</p>`,
  );
}

/** RP-initiated logout: the person confirms (a plain link must not sign anyone out). */
export function logoutPage(form: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of Roster?</h1><p>You will be signed out of Roster and of the applications you signed in to through it.</p>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<h1>You are signed out</h1><p>You can close this window.</p>');
}
