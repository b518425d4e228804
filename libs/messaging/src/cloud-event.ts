import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { MalformedMessageError } from './message-errors';

/** CloudEvents 1.0 context attributes we put on every message (Kafka binary content mode). */
export interface CloudEventAttributes {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly subject?: string;
  readonly tenantId: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export const CE_SPEC_VERSION = '1.0';
export const CONTENT_TYPE_JSON = 'application/json';

export function newCloudEvent(attributes: Omit<CloudEventAttributes, 'id' | 'time'> & { id?: string; time?: Date }): CloudEventAttributes {
  return {
    ...attributes,
    id: attributes.id ?? randomUUID(),
    time: (attributes.time ?? new Date()).toISOString(),
  };
}

/** Binary-mode headers: `ce_` prefixed attributes, `content-type`, W3C trace context. */
export function toKafkaHeaders(event: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: CE_SPEC_VERSION,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    ce_tenantid: event.tenantId,
    'content-type': CONTENT_TYPE_JSON,
  };
  if (event.subject) headers['ce_subject'] = event.subject;
  if (event.traceparent) headers['traceparent'] = event.traceparent;
  if (event.tracestate) headers['tracestate'] = event.tracestate;
  return headers;
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

/** Every Kafka header as text (the first value of each). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerString(headers, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** Reads the envelope back; a message without the required attributes is malformed, not retryable. */
export function fromKafkaHeaders(headers: IHeaders | undefined): CloudEventAttributes {
  const get = (name: string) => headerString(headers, name);
  const missing = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_tenantid'].filter((name) => !get(name));
  if (missing.length) throw new MalformedMessageError('missing_header', `missing CloudEvent headers: ${missing.join(', ')}`);
  if (get('ce_specversion') !== CE_SPEC_VERSION) throw new MalformedMessageError('unsupported_specversion', `ce_specversion ${get('ce_specversion')} is not ${CE_SPEC_VERSION}`);
  const contentType = get('content-type');
  if (contentType && !contentType.startsWith(CONTENT_TYPE_JSON)) throw new MalformedMessageError('unsupported_content_type', `content-type ${contentType} is not JSON`);
  const subject = get('ce_subject');
  const traceparent = get('traceparent');
  const tracestate = get('tracestate');
  return {
    id: get('ce_id')!,
    type: get('ce_type')!,
    source: get('ce_source')!,
    time: get('ce_time')!,
    tenantId: get('ce_tenantid')!,
    ...(subject ? { subject } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(tracestate ? { tracestate } : {}),
  };
}
