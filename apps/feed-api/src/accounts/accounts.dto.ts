import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class LinkSteamAccountDto {
  @ApiProperty({ description: 'A SteamID64, a steamcommunity.com profile URL, or a custom URL name', example: 'https://steamcommunity.com/id/robinwalker/' })
  @IsString()
  @Length(2, 200)
  account!: string;
}

export class AccountIdParams {
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'id must be an account link id' })
  id!: string;
}

export class LinkMinecraftAccountDto {
  @ApiProperty({ description: 'The player UUID (as the server plugin sends it)', example: 'a11ce000-0000-4000-8000-000000000001' })
  @IsString()
  @Length(32, 36)
  account!: string;
}
