import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsStorableText } from '@activity/http';
import { i18nValidationMessage } from 'nestjs-i18n';

const USER_ID = /^[A-Za-z0-9._@-]{1,128}$/;

export class LinkSteamAccountDto {
  @ApiProperty({ description: 'A SteamID64, a steamcommunity.com profile URL, or a custom URL name', example: 'https://steamcommunity.com/id/robinwalker/' })
  @IsString()
  @IsStorableText()
  @Length(2, 200)
  account!: string;

  @ApiProperty({ description: 'The user to link it to (tenant admins only: players link Steam by signing in, POST /v2/accounts/steam/openid)', example: 'alice' })
  @Matches(USER_ID, { message: i18nValidationMessage('validation.field.userId') })
  userId!: string;
}

export class AccountIdParams {
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: i18nValidationMessage('validation.field.linkId') })
  id!: string;
}

export class LinkMinecraftAccountDto {
  @ApiProperty({ description: 'The player UUID (as the server plugin sends it)', example: 'a11ce000-0000-4000-8000-000000000001' })
  @IsString()
  @IsStorableText()
  @Length(32, 36)
  account!: string;

  @ApiPropertyOptional({ description: 'Tenant admins: link directly for this user. Players omit it and confirm the link in game with the code in the answer.' })
  @IsOptional()
  @Matches(USER_ID, { message: i18nValidationMessage('validation.field.userId') })
  userId?: string;
}

export class ListAccountsQuery {
  @ApiPropertyOptional({ description: "Tenant admins: another user's links" })
  @IsOptional()
  @Matches(USER_ID, { message: i18nValidationMessage('validation.field.userId') })
  userId?: string;
}

export class LinkAccountDto {
  @ApiProperty({ description: "What identifies the account on the platform (an id, a profile URL...; each connector's linking says what it accepts)", example: '1287455' })
  @IsString()
  @IsStorableText()
  @Length(1, 200)
  account!: string;

  @ApiProperty({ description: 'The user to link it to', example: 'alice' })
  @Matches(USER_ID, { message: i18nValidationMessage('validation.field.userId') })
  userId!: string;
}

export class ProviderParams {
  @ApiProperty({ description: 'A connector name', example: 'truckersmp' })
  @Matches(/^[a-z][a-z0-9_]{1,31}$/, { message: i18nValidationMessage('validation.field.provider') })
  provider!: string;
}

export class LinkThroughParams extends ProviderParams {
  @ApiProperty({ description: 'The connector of your own live link that proves the account (e.g. steam)', example: 'steam' })
  @Matches(/^[a-z][a-z0-9_]{1,31}$/, { message: i18nValidationMessage('validation.field.provider') })
  via!: string;
}
