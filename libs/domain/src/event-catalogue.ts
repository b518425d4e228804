import type { ActivityEvent } from './activity-event';
import { fillTemplate } from './error-messages';
import type { Locale } from './locale';

/** One activity type the service can store, as its connector declares it. */
export interface EventTypeDescriptor {
  /** `<connector>.<noun>.<verb>`, e.g. `minecraft.player.joined`. */
  readonly type: string;
  readonly description: string;
  /** JSON Schema of the event's `payload`. */
  readonly payloadSchema: object;
  /** One sentence per locale; `{actor}`, `{object}`, `{target}` are display names, `{message}` payload.message. */
  readonly summary: Readonly<Record<Locale, string>>;
}

/** First-party events from other services (`POST /internal/v1/events`): `platform.<name>[.<name>…]`. */
export const PLATFORM_EVENT_TYPE = /^platform\.[a-z0-9_]+(\.[a-z0-9_]+)*$/;
const FALLBACK: Record<Locale, string> = { en: '{actor}: {type}', ru: '{actor}: {type}' };

/**
 * Every activity type the running service knows, derived from its registered connectors: feed
 * filters, summaries, OpenAPI enums and the AsyncAPI document all read it, so a connector adds
 * its types in its own folder and nowhere else.
 */
export class EventCatalogue {
  private readonly byType: ReadonlyMap<string, EventTypeDescriptor>;

  constructor(descriptors: readonly EventTypeDescriptor[]) {
    const byType = new Map<string, EventTypeDescriptor>();
    for (const descriptor of descriptors) {
      if (byType.has(descriptor.type)) throw new Error(`event type "${descriptor.type}" is declared twice`);
      byType.set(descriptor.type, descriptor);
    }
    this.byType = byType;
  }

  /** The declared types, sorted. */
  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  describe(type: string): EventTypeDescriptor | undefined {
    return this.byType.get(type);
  }

  list(): EventTypeDescriptor[] {
    return this.types().map((type) => this.byType.get(type)!);
  }

  /** A declared type, or a first-party `platform.*` one. */
  isKnown(type: string): boolean {
    return this.byType.has(type) || PLATFORM_EVENT_TYPE.test(type);
  }

  /** A short human sentence for the feed, in the reader's language. */
  summarize(event: Pick<ActivityEvent, 'type' | 'actor' | 'object' | 'target' | 'payload'>, locale: Locale): string {
    const template = this.byType.get(event.type)?.summary[locale] ?? FALLBACK[locale];
    const message = typeof event.payload['message'] === 'string' ? event.payload['message'] : '';
    return fillTemplate(template, {
      actor: event.actor.name ?? event.actor.id,
      object: event.object?.name ?? event.object?.id ?? '',
      target: event.target?.name ?? event.target?.id ?? '',
      type: event.type,
      message,
    });
  }
}

let installed = new EventCatalogue([]);

/**
 * The process's catalogue. Installed once at start-up from the registered connectors, before
 * the app is built, because request validation (decorators) has no dependency injection.
 */
export function installEventCatalogue(catalogue: EventCatalogue): void {
  installed = catalogue;
}

export function eventCatalogue(): EventCatalogue {
  return installed;
}
