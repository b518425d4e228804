import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { previewOf, readPageMetadata, type LinkPreview } from './link-preview-document';
import { LinkFetchRefused, type FetchRefusal, type SafeHttpFetcher } from './safe-http-fetcher';

/** Waits for a token of a per-host limit (shared through Redis in production). */
export interface HostGate {
  acquire(maxWaitMs?: number): Promise<void>;
}

export interface LinkPreviewOptions {
  /** How long a preview is reused. */
  readonly ttlSeconds: number;
  /** How long a refusal or failure is reused (the same bad link is not fetched again and again). */
  readonly failureTtlSeconds: number;
  /** Longest wait for the host's rate limit; beyond it the link is left without a preview for now. */
  readonly hostWaitMs: number;
}

export type PreviewOutcome = { readonly preview: LinkPreview } | { readonly preview: null; readonly refusal: FetchRefusal | 'no_metadata' | 'rate_limited' };

/**
 * A link's preview: from the cache (successes and failures, per URL), else fetched safely
 * (SafeHttpFetcher), read with a real HTML parser, completed from the page's oEmbed endpoint when
 * it advertises one, and cached. Each host is fetched at most at its rate limit.
 */
export class LinkPreviewService {
  private readonly local = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly pages: SafeHttpFetcher,
    private readonly oembed: SafeHttpFetcher,
    private readonly hostGate: (host: string) => HostGate,
    private readonly redis: Redis | null,
    private readonly options: LinkPreviewOptions,
  ) {}

  async preview(url: string): Promise<PreviewOutcome> {
    const key = `linkpreview:${createHash('sha256').update(url).digest('base64url')}`;
    const cached = await this.cached(key);
    if (cached) return cached;
    let outcome: PreviewOutcome;
    try {
      outcome = await this.fetchPreview(url);
    } catch (error) {
      if (!(error instanceof LinkFetchRefused)) throw error;
      outcome = { preview: null, refusal: error.reason };
    }
    if (outcome.preview === null && outcome.refusal === 'rate_limited') return outcome;
    await this.remember(key, outcome, outcome.preview ? this.options.ttlSeconds : this.options.failureTtlSeconds);
    return outcome;
  }

  private async fetchPreview(url: string): Promise<PreviewOutcome> {
    let host: string;
    try {
      host = new URL(url).host.toLowerCase();
    } catch {
      return { preview: null, refusal: 'scheme' };
    }
    try {
      await this.hostGate(host).acquire(this.options.hostWaitMs);
    } catch {
      return { preview: null, refusal: 'rate_limited' };
    }
    const page = await this.pages.fetch(url);
    const metadata = readPageMetadata(decode(page.body, page.charset), page.url);
    let oembed: Record<string, unknown> | undefined;
    if (metadata.oembedUrl && !metadata.openGraph['title']) {
      try {
        const answer = await this.oembed.fetch(metadata.oembedUrl);
        const parsed = JSON.parse(decode(answer.body, answer.charset)) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) oembed = parsed as Record<string, unknown>;
      } catch {
        // The page's own metadata still makes a preview.
      }
    }
    const preview = previewOf(page.url, metadata, oembed);
    return preview ? { preview } : { preview: null, refusal: 'no_metadata' };
  }

  private async cached(key: string): Promise<PreviewOutcome | null> {
    const value = this.redis ? await this.redis.get(key).catch(() => null) : this.localGet(key);
    return value ? (JSON.parse(value) as PreviewOutcome) : null;
  }

  private async remember(key: string, outcome: PreviewOutcome, ttlSeconds: number): Promise<void> {
    const value = JSON.stringify(outcome);
    if (this.redis) await this.redis.set(key, value, 'EX', ttlSeconds).catch(() => undefined);
    else {
      if (this.local.size > 10_000) this.local.clear();
      this.local.set(key, { value, until: Date.now() + ttlSeconds * 1000 });
    }
  }

  private localGet(key: string): string | null {
    const entry = this.local.get(key);
    return entry && entry.until > Date.now() ? entry.value : null;
  }
}

function decode(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
