import type { LinkAccountInput, LinkedIdentity, TypedIdLinking } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import { parseYouTubeChannel } from './youtube-channel-input';
import type { YouTubeDataApiClient } from './youtube-data-api';

/**
 * Tenant admins link a channel by id (`UC…`), handle (`@name`) or channel URL, resolved through
 * the Data API (`channels.list`, 1 unit); the channel id is stored. Players link through Discord,
 * whose verified connections include YouTube channels (`/v2/accounts/youtube/through/discord`).
 */
export class YouTubeChannelLinking implements TypedIdLinking {
  readonly kind = 'typed-id' as const;

  constructor(private readonly api: YouTubeDataApiClient) {}

  async resolve(input: LinkAccountInput): Promise<LinkedIdentity> {
    const reference = parseYouTubeChannel(input.account);
    const channel = 'channelId' in reference ? (await this.api.channelsById([reference.channelId]))[0] : await this.api.channelByHandle(reference.handle);
    if (!channel) {
      const channelName = 'channelId' in reference ? reference.channelId : reference.handle;
      throw new DomainError('validation_failed', {}, [
        {
          field: 'account',
          rule: 'youtubeChannelExists',
          message: `no YouTube channel ${channelName}`,
          messageKey: 'validation.youtube.unknownChannel',
          params: { channel: channelName },
        },
      ]);
    }
    return { externalId: channel.id, displayName: channel.title };
  }
}
