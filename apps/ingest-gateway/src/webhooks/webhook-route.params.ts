import { Matches } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';

export class WebhookRouteParams {
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: i18nValidationMessage('validation.field.connector') })
  connector!: string;

  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: i18nValidationMessage('validation.field.sourceId') })
  sourceId!: string;
}
