import { DomainError } from '../errors';
import { isEventType, type EventType } from '../events/event-types';
import { assertText } from '../text';
import type { DeliveryTargetRecord } from './delivery-ports';
import type { UrlCheck } from './webhook-ports';

export interface WebhookInput {
  url: string;
  /** Absent, null or empty: every type. */
  eventTypes?: readonly string[] | null;
  description?: string;
  enabled?: boolean;
}

export interface ValidWebhookInput {
  url?: string;
  /** Undefined: not given; null: every type. */
  eventTypes?: EventType[] | null;
  description?: string;
  enabled?: boolean;
}

/** The fields given, checked: a URL the outbound guard accepts, known event types, sizes that fit. */
export function validatedInput(input: Partial<WebhookInput>, checkUrl: UrlCheck): ValidWebhookInput {
  const url = input.url === undefined ? undefined : String(input.url).trim();
  if (url !== undefined) {
    assertText('webhook', 'url', url, 2048);
    const problem = checkUrl(url);
    if (problem) throw DomainError.invalid('webhook.invalid_url', problem);
  }
  let eventTypes: EventType[] | null | undefined;
  if (input.eventTypes !== undefined) {
    const unknown = (input.eventTypes ?? []).filter((t) => !isEventType(t));
    if (unknown.length > 0) {
      throw DomainError.invalid('webhook.unknown_event_type', `Unknown event types: ${unknown.join(', ')}`);
    }
    eventTypes =
      input.eventTypes && input.eventTypes.length > 0 ? [...new Set(input.eventTypes as EventType[])] : null;
  }
  const description = input.description?.trim();
  if (description !== undefined) assertText('webhook', 'description', description, 200);
  return { url, eventTypes, description, enabled: input.enabled };
}

/** What the audit record keeps of an endpoint (never a secret). */
export function describe(target: DeliveryTargetRecord) {
  return {
    url: target.url,
    eventTypes: target.eventTypes,
    enabled: target.enabled,
    description: target.description,
  };
}
