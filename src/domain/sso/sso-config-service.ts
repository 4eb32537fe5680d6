import type { AccessPolicy } from '../access/policy';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { Clock, UnitOfWork } from '../ports';
import { readCertificates } from './sso-certificates';
import type { IdpMetadataReader, SsoConfig } from './sso-ports';

/** How an Owner or Admin describes the IdP: its metadata, or the three things metadata holds. */
export type IdpSource =
  { metadataXml: string } | { entityId: string; ssoUrl: string; certificates: string[] };

export interface SsoSettings {
  /** Accept logins the IdP starts; on when not given (a new config) or left as it was. */
  idpInitiated?: boolean;
}

/**
 * The account's IdP (issue 5, "Per-account IdP"). Owners and Admins (sso.configure) set it from
 * metadata or by hand; what cannot be trusted (unreadable metadata, an expired certificate,
 * something that is not a certificate) is refused with a message naming it.
 */
export class SsoConfigService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly readMetadata: IdpMetadataReader,
  ) {}

  async configure(actor: Actor, source: IdpSource, settings: SsoSettings = {}): Promise<SsoConfig> {
    const now = this.clock.now();
    const idp = this.describe(source);
    const certificates = readCertificates(idp.certificates, now);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.policy.assertMay(tx, actor, 'sso.configure');
      const before = await tx.sso.getConfig(actor.accountId);
      const config: SsoConfig = {
        accountId: actor.accountId,
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates,
        idpInitiated: settings.idpInitiated ?? before?.idpInitiated ?? true,
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

  /** The account's IdP, or null before one is configured. */
  async get(actor: Actor): Promise<SsoConfig | null> {
    return this.uow.read(async (tx) => {
      await this.policy.assertMay(tx, actor, 'sso.configure', { read: true });
      return tx.sso.getConfig(actor.accountId);
    });
  }

  async remove(actor: Actor): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await this.policy.assertMay(tx, actor, 'sso.configure');
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

  private describe(source: IdpSource): { entityId: string; ssoUrl: string; certificates: string[] } {
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

function checked(idp: { entityId: string; ssoUrl: string; certificates: string[] }) {
  const entityId = idp.entityId.trim();
  if (!entityId) throw DomainError.invalid('sso.entity_id_required', "Give the IdP's entity id (issuer)");
  let url: URL | null = null;
  try {
    url = new URL(idp.ssoUrl.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw DomainError.invalid(
      'sso.sso_url_invalid',
      `The IdP's SSO URL "${idp.ssoUrl}" is not an http(s) URL`,
    );
  }
  return { entityId, ssoUrl: url.toString(), certificates: idp.certificates };
}

function notConfigured(): DomainError {
  return DomainError.notFound('sso.not_configured', 'Single sign-on is not configured for this account');
}

/** What the audit log keeps of a config: enough to see what changed, no certificate bodies. */
function summary(config: SsoConfig) {
  return {
    idpEntityId: config.idpEntityId,
    ssoUrl: config.ssoUrl,
    idpInitiated: config.idpInitiated,
    certificates: config.certificates.map((c) => c.fingerprint),
  };
}
