import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';
import { IsEventId, IsOptionalButNotNull } from '@activity/http';
import { CURSOR } from '../feed/feed-query.dto';

/** Query of GET /v2/notifications. */
export class NotificationsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @Matches(CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;
}

/** Body of POST /v2/notifications/seen and /read: exactly one of the three. */
export class MarkNotificationsDto {
  @ApiPropertyOptional({ description: 'This notification', example: '42' })
  @IsOptionalButNotNull()
  @IsEventId()
  id?: string;

  @ApiPropertyOptional({ description: 'Every notification up to the newest of a page (its `headCursor`)' })
  @IsOptionalButNotNull()
  @Matches(CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;

  @ApiPropertyOptional({ description: 'All of them' })
  @IsOptionalButNotNull()
  @IsBoolean()
  all?: boolean;
}
