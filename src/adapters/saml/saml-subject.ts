import type { Profile } from '@node-saml/passport-saml';
import type { SamlSubject } from '../../domain/sso/sso-ports';

/** Who the verified assertion named: what a LogoutRequest must name later (SAML core §3.7.1). */
export function samlSubjectOf(profile: Profile): SamlSubject | null {
  if (!profile.nameID) return null;
  return {
    nameId: profile.nameID.slice(0, 255),
    nameIdFormat: profile.nameIDFormat ? profile.nameIDFormat.slice(0, 255) : null,
    sessionIndex: profile.sessionIndex ? profile.sessionIndex.slice(0, 255) : null,
  };
}
