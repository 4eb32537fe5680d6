import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import type { AccountId } from '../ids';
import type { Clock, UnitOfWork } from '../ports';
import { readCertificates } from './sso-certificates';
import type { IdpMetadataReader, SsoConfig } from './sso-ports';

/** How an Owner or Admin describes the IdP: its metadata, or the three things metadata holds. */
export type IdpSource =
  | { metadataXml: string }
  | { entityId: string; ssoUrl: string; certificates: string[]; logoutUrl?: string | null };

export interface SsoSettings {
  /** Accept logins the IdP starts; on when not given (a new config) or left as it was. */
  idpInitiated?: boolean;
}

/**
 * The account's IdP. Owners and Admins (sso.configure) set it from
 * metadata or by hand; what cannot be trusted (unreadable metadata, an expired certificate,
 * something that is not a certificate) is refused with a message naming it.
 */
export class SsoConfigService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly rules: RuleBook,
    private readonly readMetadata: IdpMetadataReader,
  ) {}

  async configure(actor: Actor, source: IdpSource, settings: SsoSettings = {}): Promise<SsoConfig> {
    const now = this.clock.now();
    const idp = this.describe(source);
    const certificates = readCertificates(idp.certificates, now);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'sso.configure');
      const before = await tx.sso.getConfig(actor.accountId);
      const config: SsoConfig = {
        accountId: actor.accountId,
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates,
        idpInitiated: settings.idpInitiated ?? before?.idpInitiated ?? true,
        logoutUrl: idp.logoutUrl,
        wantAuthnRequestsSigned: idp.wantAuthnRequestsSigned,
        sessionIdleMinutes: before?.sessionIdleMinutes ?? null,
        sessionAbsoluteMinutes: before?.sessionAbsoluteMinutes ?? null,
        updated: now,
      };
      await tx.sso.saveConfig(config);
      await recordAudit(tx, actor, this.clock, {
        action: 'sso.configured',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: before ? summary(before) : null,
        after: summary(config),
      });
      return config;
    });
  }

  /** Sets how long browser sessions last (idle and absolute, in minutes); null: the default. */
  async setSessionLifetimes(actor: Actor, lifetimes: SessionLifetimes): Promise<SsoConfig> {
    assertLifetimes(lifetimes);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'sso.configure');
      const before = await tx.sso.getConfig(actor.accountId);
      if (!before) throw notConfigured();
      const config: SsoConfig = {
        ...before,
        sessionIdleMinutes: lifetimes.idleMinutes,
        sessionAbsoluteMinutes: lifetimes.absoluteMinutes,
        updated: this.clock.now(),
      };
      await tx.sso.saveConfig(config);
      await recordAudit(tx, actor, this.clock, {
        action: 'sso.session_lifetimes_set',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: { idleMinutes: before.sessionIdleMinutes, absoluteMinutes: before.sessionAbsoluteMinutes },
        after: { ...lifetimes },
      });
      return config;
    });
  }

  /** The account's IdP, or null before one is configured. */
  async get(actor: Actor): Promise<SsoConfig | null> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'sso.view');
      return tx.sso.getConfig(actor.accountId);
    });
  }

  async remove(actor: Actor): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'sso.configure');
      const before = await tx.sso.getConfig(actor.accountId);
      if (!before || !(await tx.sso.deleteConfig(actor.accountId))) throw notConfigured();
      await recordAudit(tx, actor, this.clock, {
        action: 'sso.removed',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: summary(before),
        after: null,
      });
    });
  }

  /**
   * The IdP the SAML endpoints trust for this account (null when none is configured), or null when
   * there is no such account. No actor: these pages are public, and the account is in their URL.
   */
  async forSignIn(accountId: AccountId): Promise<{ config: SsoConfig | null } | null> {
    return this.uow.read(async (tx) => {
      if (!(await tx.accounts.get(accountId))) return null;
      return { config: await tx.sso.getConfig(accountId) };
    });
  }

  private describe(source: IdpSource): CheckedIdp {
    if ('metadataXml' in source) {
      const read = this.readMetadata(source.metadataXml);
      if ('problem' in read) {
        throw DomainError.invalid('sso.metadata_invalid', `The IdP metadata was refused: ${read.problem}`);
      }
      return checked(read);
    }
    return checked(source);
  }
}

export interface SessionLifetimes {
  idleMinutes: number | null;
  absoluteMinutes: number | null;
}

/** At most 30 days; idle no longer than absolute (it would never apply). */
const longestMinutes = 30 * 24 * 60;

function assertLifetimes({ idleMinutes, absoluteMinutes }: SessionLifetimes): void {
  for (const minutes of [idleMinutes, absoluteMinutes]) {
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > longestMinutes)) {
      throw DomainError.invalid(
        'sso.session_lifetime_invalid',
        `A session lifetime is a whole number of minutes from 1 to ${longestMinutes}`,
      );
    }
  }
  if (idleMinutes !== null && absoluteMinutes !== null && idleMinutes > absoluteMinutes) {
    throw DomainError.invalid(
      'sso.session_lifetime_invalid',
      'The idle lifetime cannot be longer than the absolute lifetime',
    );
  }
}

interface CheckedIdp {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
  logoutUrl: string | null;
  wantAuthnRequestsSigned: boolean;
}

function httpUrl(text: string, code: string, what: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw DomainError.invalid(code, `The IdP's ${what} "${text}" is not an http(s) URL`);
  }
  return url.toString();
}

function checked(idp: {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
  logoutUrl?: string | null;
  wantAuthnRequestsSigned?: boolean;
}): CheckedIdp {
  const entityId = idp.entityId.trim();
  if (!entityId) throw DomainError.invalid('sso.entity_id_required', "Give the IdP's entity id (issuer)");
  const result = {
    entityId,
    ssoUrl: httpUrl(idp.ssoUrl, 'sso.sso_url_invalid', 'SSO URL'),
    certificates: idp.certificates,
    logoutUrl: idp.logoutUrl ? httpUrl(idp.logoutUrl, 'sso.logout_url_invalid', 'logout URL') : null,
    wantAuthnRequestsSigned: idp.wantAuthnRequestsSigned ?? false,
  };
  // The sizes of sso_configs' columns.
  assertText('sso', 'entityId', result.entityId, textLimits.longName);
  assertText('sso', 'ssoUrl', result.ssoUrl, textLimits.url);
  assertText('sso', 'logoutUrl', result.logoutUrl, textLimits.url);
  if (result.certificates.length > maxCertificates) {
    throw DomainError.invalid('sso.too_many_certificates', `Give at most ${maxCertificates} certificates`);
  }
  return result;
}

/** Enough for a rotation or two; each is parsed at every save. */
const maxCertificates = 10;

function notConfigured(): DomainError {
  return DomainError.notFound('sso.not_configured', 'Single sign-on is not configured for this account');
}

/** What the audit log keeps of a config: enough to see what changed, no certificate bodies. */
function summary(config: SsoConfig) {
  return {
    idpEntityId: config.idpEntityId,
    ssoUrl: config.ssoUrl,
    idpInitiated: config.idpInitiated,
    ...(config.logoutUrl ? { logoutUrl: config.logoutUrl } : {}),
    ...(config.wantAuthnRequestsSigned ? { wantAuthnRequestsSigned: true } : {}),
    certificates: config.certificates.map((c) => c.fingerprint),
  };
}
