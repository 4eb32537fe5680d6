/**
 * The names Shared Signals gives things (OpenID SSF 1.0, CAEP 1.0, RISC 1.0): event types,
 * delivery methods and stream statuses, as the specifications spell them.
 */
export const caepSessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const riscAccountDisabled = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
export const riscAccountEnabled = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
export const riscAccountPurged = 'https://schemas.openid.net/secevent/risc/event-type/account-purged';
/** SSF §8.1.4.1: sent on request, whatever the stream asked for. */
export const ssfVerification = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** What a stream may ask for (its `events_supported`). */
export const supportedEventTypes: readonly string[] = [
  riscAccountDisabled,
  riscAccountEnabled,
  riscAccountPurged,
  caepSessionRevoked,
];

/** SSF §6.1: delivery methods are named by the RFC that defines them. */
export const pushMethod = 'urn:ietf:rfc:8935';
export const pollMethod = 'urn:ietf:rfc:8936';

export const streamStatuses = ['enabled', 'paused', 'disabled'] as const;
export type StreamStatus = (typeof streamStatuses)[number];

/** RFC 9493 formats a stream may choose for the user in each SET's `sub_id`. */
export const subjectFormats = ['opaque', 'email'] as const;
export type SubjectFormat = (typeof subjectFormats)[number];
