import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { LinkPreviewService, REDIS, SafeHttpFetcher, SERVICE_CONFIG, type HostGate } from '@activity/platform';
import { LocalTokenBucket, RedisTokenBucket } from '@activity/resilience';
import { AttachLinkPreviews, LINK_PREVIEWER, UseCasesModule, type LinkPreviewer } from '@activity/use-cases';
import type { ConnectorWorkersConfig } from '../connector-workers.config';
import { LinkPreviewRequestsController } from './link-preview-requests.controller';

function previewer(config: ConnectorWorkersConfig, redis: Redis | null): LinkPreviewer {
  const common = {
    timeoutMs: config.LINK_PREVIEW_TIMEOUT_MS,
    maxRedirects: config.LINK_PREVIEW_MAX_REDIRECTS,
    userAgent: config.LINK_PREVIEW_USER_AGENT,
    ...(config.LINK_PREVIEW_ALLOW_LIST ? { allowList: new Set(config.LINK_PREVIEW_ALLOW_LIST.split(',')) } : {}),
  };
  const pages = new SafeHttpFetcher({ ...common, maxBytes: config.LINK_PREVIEW_MAX_BYTES, accept: ['text/html', 'application/xhtml+xml'] });
  const oembed = new SafeHttpFetcher({ ...common, maxBytes: 65_536, accept: ['application/json', 'application/json+oembed'] });
  const local = new Map<string, HostGate>();
  const hostGate = (host: string): HostGate => {
    if (redis) return new RedisTokenBucket(redis, `ratelimit:bucket:preview:${host}`, config.LINK_PREVIEW_PER_HOST_PER_SECOND, config.LINK_PREVIEW_PER_HOST_BURST);
    if (local.size > 10_000) local.clear();
    let gate = local.get(host);
    if (!gate) local.set(host, (gate = new LocalTokenBucket(config.LINK_PREVIEW_PER_HOST_PER_SECOND, config.LINK_PREVIEW_PER_HOST_BURST)));
    return gate;
  };
  const service = new LinkPreviewService(pages, oembed, hostGate, redis, {
    ttlSeconds: config.LINK_PREVIEW_TTL_SECONDS,
    failureTtlSeconds: config.LINK_PREVIEW_FAILURE_TTL_SECONDS,
    hostWaitMs: 10_000,
  });
  return { previewOf: async (url) => (await service.preview(url)).preview };
}

/** Previews of the links in stored events: fetched safely, attached, announced (feed.item.updated). */
@Module({
  imports: [UseCasesModule],
  controllers: [LinkPreviewRequestsController],
  providers: [{ provide: LINK_PREVIEWER, useFactory: previewer, inject: [SERVICE_CONFIG, REDIS] }, AttachLinkPreviews],
})
export class LinkPreviewsModule {}
