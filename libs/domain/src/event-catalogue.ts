import type { ActivityEvent } from './activity-event';
import { GroupingRules, type GroupingRule } from './feed-grouping';
import type { Locale } from './locale';

/** Formats a catalogue message (ICU) in a locale; undefined when the key is missing. */
export interface TextFormatter {
  format(locale: Locale, key: string, args: Readonly<Record<string, unknown>>): string | undefined;
}

/** One activity type the service can store, as its connector declares it. */
export interface EventTypeDescriptor {
  /** `<connector>.<noun>.<verb>`, e.g. `minecraft.player.joined`. */
  readonly type: string;
  readonly description: string;
  /** JSON Schema of the event's `payload`. */
  readonly payloadSchema: object;
  /** How aggregated feeds group it, when not by actor and target per day (tenants may override). */
  readonly grouping?: GroupingRule;
}

/** First-party events from other services (`POST /internal/v1/events`): `platform.<name>[.<name>…]`. */
export const PLATFORM_EVENT_TYPE = /^platform\.[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** Tenants' own types, mapped from their custom webhook sources: `custom.<source>.<name>[.<name>…]`. */
export const CUSTOM_EVENT_TYPE = /^custom\.[a-z0-9_]+(\.[a-z0-9_]+){1,4}$/;

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

  /** The connectors' own grouping rules, by type. */
  groupingDefaults(): GroupingRules {
    return new GroupingRules(new Map(this.list().flatMap((descriptor) => (descriptor.grouping ? [[descriptor.type, descriptor.grouping] as const] : []))));
  }

  describe(type: string): EventTypeDescriptor | undefined {
    return this.byType.get(type);
  }

  list(): EventTypeDescriptor[] {
    return this.types().map((type) => this.byType.get(type)!);
  }

  /** A declared type, a first-party `platform.*` one, or a tenant's `custom.*` one. */
  isKnown(type: string): boolean {
    return this.byType.has(type) || PLATFORM_EVENT_TYPE.test(type) || CUSTOM_EVENT_TYPE.test(type);
  }

  /**
   * A short human sentence for the feed, in the reader's language: the catalogue message
   * `events.<type>` (the connector's own texts), else `feed.summary.fallback`. A tenant's custom
   * type has no catalogue entry: its mapping rule wrote the summary into the payload
   * (`summary.en`, `summary.ru`) when the event was made.
   */
  summarize(event: Pick<ActivityEvent, 'type' | 'actor' | 'object' | 'target' | 'payload'>, locale: Locale, texts: TextFormatter): string {
    if (CUSTOM_EVENT_TYPE.test(event.type)) {
      const own = event.payload['summary'] as Partial<Record<string, unknown>> | undefined;
      const text = own?.[locale] ?? own?.['en'];
      if (typeof text === 'string' && text) return text;
    }
    const args = summaryArguments(event);
    return texts.format(locale, `events.${event.type}`, args) ?? texts.format(locale, 'feed.summary.fallback', args) ?? `${args.actor}: ${event.type}`;
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

/** Names of actor, object and target, the type, and the payload's top-level scalars (for plural/select rules). */
export function summaryArguments(event: Pick<ActivityEvent, 'type' | 'actor' | 'object' | 'target' | 'payload'>): Record<string, unknown> {
  const scalars = Object.fromEntries(Object.entries(event.payload).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value)));
  return {
    ...scalars,
    actor: event.actor.name ?? event.actor.id,
    object: event.object?.name ?? event.object?.id ?? '',
    target: event.target?.name ?? event.target?.id ?? '',
    type: event.type,
  };
}
