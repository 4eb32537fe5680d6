import qrcode from 'qrcode-generator';
import type { MfaReason } from '../../domain/mfa/mfa-policy';
import type { StepUpPrompt } from '../../domain/mfa/totp-step-up-service';
import { escape, page } from './pages';

/** The otpauth:// link as an inline SVG QR code (error correction M), no image request needed. */
function qrSvg(uri: string): string {
  const code = qrcode(0, 'M');
  code.addData(uri);
  code.make();
  return code.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
}

/** Which of the account's MFA flags applied, in words (the refusal and step-up pages name it). */
export function policyWords(because: MfaReason, roleName: string | null): string {
  if (because === 'account') return 'This account requires multi-factor authentication (MFA) of everyone.';
  if (because === 'role')
    return `This account requires multi-factor authentication (MFA) of everyone with the role ${roleName ?? 'you hold'}.`;
  return 'Your administrator requires multi-factor authentication (MFA) of you.';
}

/**
 * Asks for the TOTP code (or a backup code). Without a confirmed authenticator it first shows the
 * secret: as a QR code to scan, as the otpauth:// URI, and as text to type in.
 */
export function stepUpPage(prompt: StepUpPrompt, action: string, message: string | null): string {
  const enrol = prompt.enrolment
    ? `<h2>Set up your authenticator app</h2>` +
      `<p>Add Roster to an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …): ` +
      `scan this QR code, or choose "enter a setup key" and type the key, or open the link on your phone.</p>` +
      `<figure id="totp-qr" aria-label="Scan to add Roster to your authenticator app">${qrSvg(prompt.enrolment.keyUri)}</figure>` +
      `<p>Setup key: <code id="totp-secret">${escape(prompt.enrolment.secret)}</code></p>` +
      `<p><a id="totp-uri" href="${escape(prompt.enrolment.keyUri)}">${escape(prompt.enrolment.keyUri)}</a></p>` +
      `<p>Then type the 6-digit code it shows.</p>`
    : `<p>Type the 6-digit code from your authenticator app, or one of your backup codes.</p>`;
  const note = message ? `<p id="message" role="alert">${escape(message)}</p>` : '';
  return page(
    'Verify it is you',
    `<h1>Verify it is you</h1><p>Signing in as <strong id="user">${escape(prompt.userName)}</strong>.</p>` +
      `${enrol}${note}<form method="post" action="${escape(action)}">` +
      `<label for="code">Code</label> <input id="code" name="code" autocomplete="one-time-code" ` +
      `inputmode="numeric" required autofocus> <button type="submit">Verify</button></form>`,
  );
}

/** A page saying the step-up cannot go on (expired, or locked after wrong codes). */
const endedWords = {
  locked: (until: number | null) =>
    `Too many wrong codes: your authenticator is locked until ${new Date(until ?? 0).toISOString()}. ` +
    'Try again later, or ask your administrator to reset it.',
  expired: () => 'This verification expired or was already used. Start again from your company sign-in page.',
  unavailable: () =>
    'Your identity provider did not confirm a second factor (MFA), and Roster cannot ask for its own ' +
    'verification code because it is not set up on this server. Ask your administrator.',
};
const endedReasons = { locked: 'totp_locked', expired: 'step_up_expired', unavailable: 'totp_unavailable' };

export function stepUpEndedPage(kind: keyof typeof endedWords, until: number | null): string {
  return page(
    'Sign-in refused',
    `<h1>Sign-in refused</h1><p id="reason" data-reason="${endedReasons[kind]}">${escape(endedWords[kind](until))}</p>`,
  );
}

/** After the first TOTP enrolment: who signed in, the new backup codes (shown this once), and on. */
export function backupCodesPage(
  login: { userName: string; roleName: string },
  onward: string,
  codes: readonly string[],
): string {
  const list = codes.map((c) => `<li><code>${escape(c)}</code></li>`).join('');
  return page(
    'Your backup codes',
    `<p>You are signed in as user <strong id="user">${escape(login.userName)}</strong> with the role ` +
      `<strong id="role">${escape(login.roleName)}</strong>.</p>` +
      `<section id="backup-codes"><h2>Your backup codes</h2><p>Each works once, when your authenticator ` +
      `is not at hand. Save them now: Roster shows them only this once.</p><ul>${list}</ul></section>` +
      `<p><a id="continue" href="${escape(onward)}">Continue</a></p>`,
  );
}
