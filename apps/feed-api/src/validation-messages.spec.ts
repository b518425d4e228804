import { validationMessageKeys } from '@activity/http';
import { loadMessageCatalogue, PLATFORM_MESSAGES } from '@activity/i18n';
import { AccountIdParams, LinkMinecraftAccountDto, LinkSteamAccountDto, ListAccountsQuery } from './accounts/accounts.dto';
import { FeedQueryDto, MarkReadDto, PollQueryDto, StreamQueryDto } from './feed/feed-query.dto';
import { ActivityObjectDto, InternalEventDto } from './internal/internal-event.dto';
import { LegacyFeedQueryDto } from './legacy/legacy-feed.controller';

describe("feed-api's request validation messages", () => {
  it('exist in English and Russian for every rule its DTOs use', async () => {
    const texts = await loadMessageCatalogue([PLATFORM_MESSAGES]);
    const keys = validationMessageKeys([
      FeedQueryDto,
      PollQueryDto,
      StreamQueryDto,
      MarkReadDto,
      LinkSteamAccountDto,
      LinkMinecraftAccountDto,
      AccountIdParams,
      ListAccountsQuery,
      ActivityObjectDto,
      InternalEventDto,
      LegacyFeedQueryDto,
    ]);
    expect(keys).toEqual(expect.arrayContaining(['validation.min', 'validation.field.cursor', 'validation.knownEventType']));
    const missing = keys.flatMap((key) => ['en', 'ru'].filter((locale) => !texts.has(locale, key)).map((locale) => `${locale} ${key}`));
    expect(missing).toEqual([]);
  });
});
