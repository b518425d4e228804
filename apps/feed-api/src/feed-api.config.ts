import { IsInt, Max, MinLength, Min, ValidateBy } from 'class-validator';
import { JwtConfig } from '@activity/auth';

const DEVELOPMENT_CURSOR_SECRET = 'development-only-feed-cursor-secret';

export class FeedApiConfig extends JwtConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  /** HMAC key that makes feed cursors tamper-evident. Rotating it invalidates outstanding cursors (clients restart from the top). */
  @MinLength(16)
  @ValidateBy({
    name: 'notDevelopmentSecretInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as FeedApiConfig).NODE_ENV !== 'production' || value !== DEVELOPMENT_CURSOR_SECRET,
      defaultMessage: () => 'must be set in production',
    },
  })
  FEED_CURSOR_SECRET: string = DEVELOPMENT_CURSOR_SECRET;
}
