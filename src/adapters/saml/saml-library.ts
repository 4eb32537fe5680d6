import type { CacheProvider } from '@node-saml/passport-saml';
import type { Actor } from '../../domain/actor';
import type { SignInService } from '../../domain/sso/sign-in-service';

type SamlLibrary = typeof import('@node-saml/passport-saml');
let library: Promise<SamlLibrary> | undefined;

/** node-saml and its XML stack load on the first SAML request: the CLI never pays for them. */
export function samlLibrary(): Promise<SamlLibrary> {
  return (library ??= import('@node-saml/passport-saml'));
}

/** Request ids (InResponseTo) live in the database, so any instance can take the IdP's answer. */
export function requestStore(signIns: SignInService, actor: Actor): CacheProvider {
  return {
    saveAsync: async (key, value) => {
      await signIns.rememberRequest(actor, key);
      return { value, createdAt: Date.now() };
    },
    // node-saml reads the value as the request's creation time and compares it with its own
    // clock; the database (with Roster's clock) already decided the request is still valid.
    getAsync: async (key) => ((await signIns.requestIssued(actor, key)) ? new Date().toISOString() : null),
    removeAsync: async (key) => {
      if (key) await signIns.forgetRequest(actor, key);
      return key;
    },
  };
}
