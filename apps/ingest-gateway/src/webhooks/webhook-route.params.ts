import { Matches } from 'class-validator';

export class WebhookRouteParams {
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'connector must be a lowercase connector name' })
  connector!: string;

  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'sourceId may contain letters, digits, ".", "_" and "-" (max 128)' })
  sourceId!: string;
}
