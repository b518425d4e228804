import { Body, Controller, Inject, Param, Put } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { i18nValidationMessage } from 'nestjs-i18n';
import { InternalRoute, INTERNAL_HEADERS } from '@activity/auth';
import { DomainError } from '@activity/domain';
import { NotificationStore } from '@activity/persistence';

/** Body of PUT /internal/v1/users/{userId}/handle. */
export class UserHandleDto {
  @ApiProperty({ example: 'demo' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: i18nValidationMessage('validation.field.tenantId') })
  tenantId!: string;

  /** What `@name` in a message resolves to: the mention grammar (letters, digits, `_`, then also `.` and `-`, not at the end). */
  @ApiProperty({ example: 'alice', description: 'The platform username `@name` mentions resolve to (compared without case)' })
  @Matches(/^[\p{L}\p{N}_](?:[\p{L}\p{N}\p{M}_.-]{0,62}[\p{L}\p{N}\p{M}_])?$/u, { message: i18nValidationMessage('validation.field.handle') })
  handle!: string;
}

@ApiTags('internal')
@Controller('internal/v1/users')
export class InternalUsersController {
  constructor(@Inject(NotificationStore) private readonly store: NotificationStore) {}

  @Put(':userId/handle')
  @InternalRoute('activity.users.write')
  @ApiHeader({ name: INTERNAL_HEADERS.keyId, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.timestamp, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.signature, required: true })
  @ApiOperation({
    summary: "Set a user's platform username (service to service): `@name` in messages of the tenant notifies them",
    description: 'A user has one handle (the old one is replaced); 409 `handle_taken` when another user of the tenant has it.',
  })
  async setHandle(@Param('userId') userId: string, @Body() body: UserHandleDto) {
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(userId)) throw new DomainError('not_found', { path: `user ${userId.slice(0, 64)}` });
    if (!(await this.store.setHandle(body.tenantId, userId, body.handle))) throw new DomainError('handle_taken', { handle: body.handle });
    return { tenantId: body.tenantId, userId, handle: body.handle.normalize('NFC') };
  }
}
