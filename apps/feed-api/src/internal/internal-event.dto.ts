import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInstant, IsStorableText } from '@activity/http';
import { IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';

export class ActivityObjectDto {
  @ApiProperty({ example: 'Person' })
  @Matches(/^[A-Za-z][A-Za-z0-9]{0,63}$/, { message: i18nValidationMessage('validation.field.activityType') })
  type!: string;

  @ApiProperty({ example: 'platform:user:alice' })
  @IsString()
  @IsStorableText()
  @MaxLength(256)
  id!: string;

  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @IsStorableText()
  @MaxLength(256)
  name?: string;
}

/** Body of POST /internal/v1/events: a first-party event for a user's feed. */
export class InternalEventDto {
  @ApiProperty({ description: "The producer's own id for the event: a retry with the same id is a no-op", example: 'ach-2026-0001' })
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: i18nValidationMessage('validation.field.callerEventId') })
  eventId!: string;

  @ApiProperty({ example: 'demo' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: i18nValidationMessage('validation.field.tenantId') })
  tenantId!: string;

  @ApiProperty({ example: 'alice' })
  @Matches(/^[A-Za-z0-9._@-]{1,128}$/, { message: i18nValidationMessage('validation.field.userId') })
  userId!: string;

  @ApiProperty({ description: 'platform.<something>', example: 'platform.badge.awarded' })
  @Matches(/^platform\.[a-z0-9_]+(\.[a-z0-9_]+)*$/, { message: i18nValidationMessage('validation.field.platformType') })
  type!: string;

  @ApiProperty({ example: '2026-11-26T10:00:00Z' })
  @IsInstant()
  occurredAt!: string;

  @ApiProperty({ type: ActivityObjectDto })
  @ValidateNested()
  @Type(() => ActivityObjectDto)
  actor!: ActivityObjectDto;

  @ApiPropertyOptional({ type: ActivityObjectDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ActivityObjectDto)
  object?: ActivityObjectDto;

  @ApiPropertyOptional({ type: ActivityObjectDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ActivityObjectDto)
  target?: ActivityObjectDto;

  @ApiPropertyOptional({ description: 'Free-form details kept with the event' })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}
