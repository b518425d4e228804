import { MessageCatalogue } from './message-catalogue';

let installed = MessageCatalogue.fromTranslations({});

/**
 * The process's catalogue. Installed once the app has loaded its catalogues, because problem
 * responses are also rendered where there is no dependency injection (Fastify's pre-routing
 * errors, raw socket errors) and domain code formats summaries without Nest.
 */
export function installMessageCatalogue(catalogue: MessageCatalogue): void {
  installed = catalogue;
}

export function messages(): MessageCatalogue {
  return installed;
}
