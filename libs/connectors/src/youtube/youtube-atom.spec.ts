import { NotAnAtomFeedError, parseYouTubeNotification } from './youtube-atom';

const CHANNEL = 'UCxxxxxxxxxxxxxxxxxxxxxx';
// PLATFORMS.md §4's notification, as the hub sends it.
const ENTRY = `<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
  <link rel="self" href="https://www.youtube.com/xml/feeds/videos.xml?channel_id=${CHANNEL}"/>
  <title>YouTube video feed</title><updated>2015-04-01T19:05:24.552394234+00:00</updated>
  <entry>
    <id>yt:video:VIDEO_ID</id><yt:videoId>VIDEO_ID</yt:videoId><yt:channelId>${CHANNEL}</yt:channelId>
    <title>Video title</title><link rel="alternate" href="http://www.youtube.com/watch?v=VIDEO_ID"/>
    <author><name>Channel title</name><uri>http://www.youtube.com/channel/${CHANNEL}</uri></author>
    <published>2015-03-06T21:40:57+00:00</published><updated>2015-03-09T19:05:24.552394234+00:00</updated>
  </entry>
</feed>`;
const TOMBSTONE = `<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom"><at:deleted-entry ref="yt:video:VIDEO_ID" when="2024-09-09T22:34:19.642702+00:00"><link href="https://www.youtube.com/watch?v=VIDEO_ID"/><at:by><name>Channel title</name><uri>https://www.youtube.com/channel/${CHANNEL}</uri></at:by></at:deleted-entry></feed>`;

describe('parseYouTubeNotification', () => {
  it('reads the PLATFORMS.md entry: video, channel, title, link, author and times (the feed’s own title and updated are not the entry’s)', () => {
    const { entries, tombstones } = parseYouTubeNotification(ENTRY);
    expect(tombstones).toEqual([]);
    expect(entries).toEqual([
      {
        videoId: 'VIDEO_ID',
        channelId: CHANNEL,
        title: 'Video title',
        url: 'http://www.youtube.com/watch?v=VIDEO_ID',
        authorName: 'Channel title',
        published: new Date('2015-03-06T21:40:57Z'),
        updated: new Date('2015-03-09T19:05:24.552Z'),
      },
    ]);
  });

  it('reads a tombstone (no channel id in it) with its time', () => {
    expect(parseYouTubeNotification(TOMBSTONE)).toEqual({ entries: [], tombstones: [{ videoId: 'VIDEO_ID', deletedAt: new Date('2024-09-09T22:34:19.642Z') }] });
  });

  it('decodes entities and CDATA in titles, and does not care which prefix names the YouTube namespace', () => {
    const xml = ENTRY.replace('<title>Video title</title>', '<title>Tom &amp; Jerry &lt;3 &#x1F3AE;</title>').replace(/yt:/g, 'youtube:').replace('xmlns:youtube', 'xmlns:youtube');
    expect(parseYouTubeNotification(xml).entries[0]).toMatchObject({ videoId: 'VIDEO_ID', title: 'Tom & Jerry <3 🎮' });
    expect(parseYouTubeNotification(ENTRY.replace('<title>Video title</title>', '<title><![CDATA[A & B]]></title>')).entries[0]!.title).toBe('A & B');
  });

  it('skips entries without a valid video or channel id, and refuses a body that is not a feed', () => {
    expect(parseYouTubeNotification(ENTRY.replace(`<yt:channelId>${CHANNEL}</yt:channelId>`, '')).entries).toEqual([]);
    expect(parseYouTubeNotification('<feed/>')).toEqual({ entries: [], tombstones: [] });
    expect(() => parseYouTubeNotification('{"not":"xml"}')).toThrow(NotAnAtomFeedError);
    expect(() => parseYouTubeNotification('<rss><channel/></rss>')).toThrow(NotAnAtomFeedError);
  });
});
