import { validationMessageKeys } from '@activity/http';
import { loadMessageCatalogue, PLATFORM_MESSAGES } from '@activity/i18n';
import { WebhookRouteParams } from './webhook-route.params';

describe("ingest-gateway's request validation messages", () => {
  it('exist in English and Russian for every rule of the intake route', async () => {
    const texts = await loadMessageCatalogue([PLATFORM_MESSAGES]);
    const keys = validationMessageKeys([WebhookRouteParams]);
    expect(keys).toEqual(expect.arrayContaining(['validation.field.connector', 'validation.field.sourceId']));
    expect(keys.flatMap((key) => ['en', 'ru'].filter((locale) => !texts.has(locale, key)).map((locale) => `${locale} ${key}`))).toEqual([]);
  });
});
