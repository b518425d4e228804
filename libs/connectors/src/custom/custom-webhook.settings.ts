import { IsInt, Max, Min } from 'class-validator';

/** Limits on tenants' mapping rules, so a hostile rule cannot stall a worker. */
export class CustomWebhookSettings {
  /** JSONata's evaluation timeout per expression; the sandbox thread is killed a little after it. */
  @IsInt()
  @Min(10)
  @Max(5_000)
  CUSTOM_MAPPING_TIMEOUT_MS: number = 200;

  /** The largest a rule's evaluated outputs may be, as JSON. */
  @IsInt()
  @Min(1_024)
  @Max(1_048_576)
  CUSTOM_MAPPING_MAX_OUTPUT_BYTES: number = 16_384;
}
