import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig } from '@activity/config';

/** Player identity settings of feed-api. Exactly one key source applies: JWKS URL, static key, or (dev only) the generated pair. */
export class JwtConfig extends CommonConfig {
  @IsString()
  JWT_ISSUER: string = 'activity-dev';

  @IsString()
  JWT_AUDIENCE: string = 'activity-service';

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  JWT_JWKS_URL?: string;

  /** SPKI PEM public key (ES256 or RS256). */
  @IsOptional()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  /** After a JWKS fetch, an unknown kid triggers a refetch only after this long (protects the IdP from token spam). */
  @IsInt()
  @Min(0)
  @Max(600)
  JWT_JWKS_REFRESH_COOLDOWN_SECONDS: number = 5;

  @IsString()
  JWT_DEV_KEY_DIR: string = '.local/dev-keys';

  /** Allowed clock skew for exp/nbf. */
  @IsInt()
  @Min(0)
  @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS: number = 30;
}
