import { X509Certificate } from 'node:crypto';
import { DomainError } from '../errors';
import { shortened, textLimits } from '../text';
import type { SsoCertificate } from './sso-ports';

/** Accepts a PEM block or the bare base64 body that IdP metadata carries. */
function toPem(text: string): string {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return trimmed;
  const body = trimmed.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----`;
}

/**
 * Reads one IdP signing certificate. `label` names it in the message ("certificate 2"), so an
 * admin who pasted three knows which one is wrong.
 */
export function readCertificate(text: string, label: string, now: number): SsoCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(toPem(text));
  } catch {
    throw DomainError.invalid(
      'sso.certificate_invalid',
      `${label} is not an X.509 certificate (expected a PEM "BEGIN CERTIFICATE" block or its base64 body)`,
    );
  }
  const notAfter = Date.parse(cert.validTo);
  if (notAfter <= now) {
    throw DomainError.invalid(
      'sso.certificate_expired',
      `${label} (${cert.subject.replace(/\n/g, ', ')}) expired on ${new Date(notAfter).toISOString()}`,
    );
  }
  const subject = cert.subject.replace(/\n/g, ', ');
  // sso_certificates.subject is VARCHAR(1024); a subject is shown to people, so shorten it.
  const shown = shortened(subject, textLimits.longName);
  return {
    fingerprint: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    pem: cert.toString().trim(),
    subject: shown,
    notBefore: Date.parse(cert.validFrom),
    notAfter,
  };
}

/** Every certificate read, duplicates dropped; at least one is required. */
export function readCertificates(texts: readonly string[], now: number): SsoCertificate[] {
  if (texts.length === 0) {
    throw DomainError.invalid('sso.certificate_required', 'Give at least one IdP signing certificate');
  }
  const byFingerprint = new Map<string, SsoCertificate>();
  texts.forEach((text, i) => {
    const cert = readCertificate(text, `Certificate ${i + 1}`, now);
    byFingerprint.set(cert.fingerprint, cert);
  });
  return [...byFingerprint.values()];
}
