import { Global, Module, type DynamicModule, type OnModuleInit, Injectable } from '@nestjs/common';
import { AcceptLanguageResolver, I18nJsonLoader, I18nModule, I18nService } from 'nestjs-i18n';
import { installMessageCatalogue } from './installed-messages';
import { MessageCatalogue } from './message-catalogue';
import { messageDirectories } from './message-directories';

export const SUPPORTED_MESSAGE_LOCALES = ['en', 'ru'] as const;

/** Installs the Nest-held catalogue for code that runs outside dependency injection. */
@Injectable()
class MessageCatalogueInstaller implements OnModuleInit {
  constructor(private readonly catalogue: MessageCatalogue) {}

  onModuleInit(): void {
    installMessageCatalogue(this.catalogue);
  }
}

/**
 * nestjs-i18n holds the catalogues: its JSON loader reads the platform's directory and every
 * connector's. MessageCatalogue formats from it with ICU rules and a compile cache. The language is
 * negotiated from Accept-Language (q-values honoured) by the domain's negotiateLocale, the same
 * rule for HTTP answers and for texts rendered outside a request.
 */
@Global()
@Module({})
export class MessagesModule {
  static forRoot(): DynamicModule {
    return {
      module: MessagesModule,
      imports: [
        I18nModule.forRoot({
          fallbackLanguage: 'en',
          loaders: messageDirectories().map((directory) => new I18nJsonLoader({ path: directory, watch: false })),
          // For handlers that use nestjs-i18n's request context directly; it also keeps the module from
          // announcing on stdout that it has no resolver (CLIs print their results there).
          resolvers: [AcceptLanguageResolver],
          useICU: true,
          logging: false,
        }),
      ],
      providers: [
        {
          provide: MessageCatalogue,
          // Raw messages from nestjs-i18n (no args: it applies none of its own formatting); ICU is ours.
          useFactory: (i18n: I18nService) =>
            new MessageCatalogue((locale, key) => {
              const value = i18n.translate(key, { lang: locale });
              return typeof value === 'string' && value !== key ? value : undefined;
            }, SUPPORTED_MESSAGE_LOCALES),
          inject: [I18nService],
        },
        MessageCatalogueInstaller,
      ],
      exports: [MessageCatalogue],
    };
  }
}
