import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { consumerBinding, Topic, type LinkPreviewRequestedV1 } from '@activity/messaging';
import { AttachLinkPreviews } from '@activity/use-cases';
import { CONSUMER_GROUPS } from '../consumer-groups';

/** Links found in stored events get their previews here, after the event is in the feed. */
@Controller()
export class LinkPreviewRequestsController {
  constructor(@Inject(AttachLinkPreviews) private readonly previews: AttachLinkPreviews) {}

  @EventPattern(Topic.LinkPreviewRequested, consumerBinding({ group: CONSUMER_GROUPS.previews, concurrency: 2 }))
  async onLinkPreviewRequested(@Payload() request: LinkPreviewRequestedV1): Promise<void> {
    await this.previews.handle(request);
  }
}
