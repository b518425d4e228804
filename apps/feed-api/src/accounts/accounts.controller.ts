import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { AccountIdParams, LinkMinecraftAccountDto, LinkSteamAccountDto } from './accounts.dto';
import { AccountsService } from './accounts.service';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v2/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: "The caller's linked accounts, with each link's sync status" })
  list(@CurrentPrincipal() principal: Principal) {
    return this.accounts.list(principal);
  }

  @Post('steam')
  @HttpCode(201)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Link a Steam account (SteamID64, profile URL or custom URL name); the first sync starts by itself' })
  linkSteam(@CurrentPrincipal() principal: Principal, @Body() body: LinkSteamAccountDto) {
    return this.accounts.link(principal, 'steam', body.account);
  }

  @Post('minecraft')
  @HttpCode(201)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Link a Minecraft player UUID: events of that player on any of the tenant\'s servers go to the caller\'s feed' })
  linkMinecraft(@CurrentPrincipal() principal: Principal, @Body() body: LinkMinecraftAccountDto) {
    return this.accounts.link(principal, 'minecraft', body.account);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Revoke a link: syncing stops and account.linked (revoked) is published' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams): Promise<void> {
    await this.accounts.revoke(principal, params.id);
  }

  @Post(':id/sync')
  @HttpCode(202)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Sync now (once a minute per link; 429 with Retry-After otherwise)' })
  syncNow(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams) {
    return this.accounts.syncNow(principal, params.id);
  }

  @Get(':id/sync-runs')
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'The last 20 sync runs of a link' })
  syncRuns(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams) {
    return this.accounts.syncRuns(principal, params.id);
  }
}
