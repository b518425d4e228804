import { IsInt, IsNumber, Matches, Max, Min, MinLength } from 'class-validator';

/** The environment variables the TruckersMP connector reads (the API is public: no key). */
export class TruckersMpSettings {
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  TRUCKERSMP_API_BASE_URL: string = 'https://api.truckersmp.com/v2';

  /** TruckersMP asks every client to identify itself; name the deployment and a contact. */
  @MinLength(8)
  TRUCKERSMP_USER_AGENT: string = 'activity-service/1.2 (gaming community activity feed; TruckersMP sync)';

  /** Shared by every worker replica. No limit is published and staff ask heavy users to get in touch: stay low. */
  @IsNumber()
  @Min(0.01)
  TRUCKERSMP_RATE_LIMIT_PER_SECOND: number = 1;

  @IsInt()
  @Min(1)
  TRUCKERSMP_RATE_LIMIT_BURST: number = 3;

  @IsInt()
  @Min(100)
  @Max(60_000)
  TRUCKERSMP_TIMEOUT_MS: number = 8_000;

  @IsInt()
  @Min(1)
  @Max(10)
  TRUCKERSMP_MAX_ATTEMPTS: number = 4;

  /** On a link's first sync, achievements earned this many days back become events. */
  @IsInt()
  @Min(0)
  TRUCKERSMP_BACKFILL_DAYS: number = 30;
}
