import { isIP } from 'node:net';
import type { UrlCheck } from '../../domain/delivery/webhook-ports';
import { isInternalAddress } from './address-policy';

/**
 * What a webhook URL must be when it is saved: absolute http(s), no credentials inside, and,
 * unless OUTBOUND_ALLOW_PRIVATE, no internal address written in it (names are judged again on
 * every attempt, on the address they resolve to then).
 */
export function outboundUrlCheck(allowPrivate: boolean): UrlCheck {
  return (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'url must be an absolute http or https URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be an http or https URL';
    if (url.username || url.password) return 'url must not carry a user name or password';
    if (url.hash) return 'url must not have a #fragment';
    if (allowPrivate) return null;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const internal =
      host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isInternalAddress(host));
    return internal
      ? `url points at a loopback, private or link-local address (${host}); this server does not send there`
      : null;
  };
}
