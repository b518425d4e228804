import { DomainError } from '@activity/domain';
import { channelOfTopic, parseYouTubeChannel, youTubeTopicOf } from './youtube-channel-input';

const ID = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';

describe('YouTube channel input', () => {
  it('takes a channel id, a handle, or a channel or handle URL', () => {
    expect(parseYouTubeChannel(` ${ID} `)).toEqual({ channelId: ID });
    expect(parseYouTubeChannel('@GoogleDevelopers')).toEqual({ handle: '@GoogleDevelopers' });
    expect(parseYouTubeChannel(`https://www.youtube.com/channel/${ID}`)).toEqual({ channelId: ID });
    expect(parseYouTubeChannel(`youtube.com/channel/${ID}/?sub_confirmation=1`)).toEqual({ channelId: ID });
    expect(parseYouTubeChannel('https://m.youtube.com/@GoogleDevelopers')).toEqual({ handle: '@GoogleDevelopers' });
  });

  it('refuses anything else with a validation error on the account field', () => {
    for (const bad of ['UCshort', 'https://example.com/@someone', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', '@x', '']) {
      expect(() => parseYouTubeChannel(bad)).toThrow(DomainError);
    }
  });

  it('builds a channel’s WebSub topic and reads the channel back from it (nothing else)', () => {
    expect(youTubeTopicOf(ID)).toBe(`https://www.youtube.com/xml/feeds/videos.xml?channel_id=${ID}`);
    expect(channelOfTopic(youTubeTopicOf(ID))).toBe(ID);
    expect(channelOfTopic(`https://evil.example/xml/feeds/videos.xml?channel_id=${ID}`)).toBeNull();
  });
});
