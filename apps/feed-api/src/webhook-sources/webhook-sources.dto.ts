import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';
import { SIGNATURE_SCHEMES, type MappingRule, type SignatureScheme } from '@activity/connectors';
import { IsStorableText } from '@activity/http';

/** Source ids are part of the intake URL and, for custom sources, of their event types. */
const SOURCE_ID = /^[a-z][a-z0-9_]{1,39}$/;
const CONNECTOR = /^[a-z][a-z0-9_]{1,31}$/;

const RULES_EXAMPLE = [
  {
    name: 'push',
    when: 'headers."x-github-event" = "push"',
    type: '"repo.pushed"',
    actor: '{ "id": "github:" & body.sender.login, "name": body.sender.login }',
    target: '{ "id": body.repository.html_url, "name": body.repository.full_name }',
    eventId: 'body.after',
    summary: {
      en: 'body.sender.login & " pushed " & $count(body.commits) & " commit(s) to " & body.repository.full_name',
      ru: 'body.sender.login & " отправляет коммиты (" & $count(body.commits) & ") в " & body.repository.full_name',
    },
  },
];

export class WebhookSourceIdParams {
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: i18nValidationMessage('validation.field.sourceId') })
  id!: string;
}

export class CreateWebhookSourceDto {
  @ApiProperty({ description: 'The source id: part of its intake URL (/v1/webhooks/<connector>/<id>) and of its event types (custom.<id>.<name>)', example: 'team_github' })
  @Matches(SOURCE_ID, { message: i18nValidationMessage('validation.webhookSources.id') })
  id!: string;

  @ApiProperty({ example: 'Our GitHub repositories' })
  @IsString()
  @IsStorableText()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ description: 'The connector that receives it; `custom` (default) maps any JSON with the rules below', example: 'custom' })
  @IsOptional()
  @Matches(CONNECTOR, { message: i18nValidationMessage('validation.field.connector') })
  connector?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_SCHEMES, description: 'custom sources: how deliveries are signed (default standard-webhooks)' })
  @IsOptional()
  @IsIn(SIGNATURE_SCHEMES)
  signature?: SignatureScheme;

  @ApiPropertyOptional({
    description:
      'Standard Webhooks with Ed25519 (`v1a,`): the sender’s public key (`whpk_<base64>`); a Discord source: the application’s public key (64 hex characters, required). Otherwise a `whsec_` secret is generated and shown once',
  })
  @IsOptional()
  @Matches(/^(whpk_[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/, { message: i18nValidationMessage('validation.webhookSources.publicKey') })
  publicKey?: string;

  @ApiPropertyOptional({ description: 'custom sources: mapping rules (JSONata), the first whose `when` holds maps a delivery', example: RULES_EXAMPLE })
  @IsOptional()
  @IsArray()
  rules?: MappingRule[];
}

export class UpdateWebhookSourceDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsStorableText()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled'], description: 'A disabled source answers 404 to deliveries' })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiPropertyOptional({ enum: SIGNATURE_SCHEMES })
  @IsOptional()
  @IsIn(SIGNATURE_SCHEMES)
  signature?: SignatureScheme;

  @ApiPropertyOptional({ description: 'Replaces the rules (validated before they are saved)', example: RULES_EXAMPLE })
  @IsOptional()
  @IsArray()
  rules?: MappingRule[];
}

export class RotateWebhookSecretDto {
  @ApiPropertyOptional({ description: 'How long the current secrets keep working (seconds, default a day, at most 7 days; 0 ends them now)', example: 86400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  graceSeconds?: number;

  @ApiPropertyOptional({ description: 'Ed25519 sources: the new public key (`whpk_<base64>`; Discord: 64 hex characters)' })
  @IsOptional()
  @Matches(/^(whpk_[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/, { message: i18nValidationMessage('validation.webhookSources.publicKey') })
  publicKey?: string;
}

export class DryRunDto {
  @ApiProperty({
    description: 'A sample delivery body (any JSON)',
    example: { ref: 'refs/heads/main', commits: [{}], sender: { login: 'octocat' }, repository: { full_name: 'octo/hello' } },
  })
  @IsDefined()
  body!: unknown;

  @ApiPropertyOptional({ description: 'The sample’s headers (rules may read them, e.g. x-github-event)', example: { 'x-github-event': 'push' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Rules to try instead of the saved ones (nothing is saved)' })
  @IsOptional()
  @IsArray()
  rules?: MappingRule[];
}
