import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessControl, CurrentPrincipal, Public, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { AccountIdParams, LinkAccountDto, LinkMinecraftAccountDto, LinkSteamAccountDto, LinkThroughParams, ListAccountsQuery, ProviderParams } from './accounts.dto';
import { AccountsService, type ManagePermission } from './accounts.service';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v2/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly access: AccessControl,
  ) {}

  @Get()
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: "The caller's linked accounts (tenant admins: any user's, with ?userId=), with each link's sync status" })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListAccountsQuery) {
    const userId = await this.subject(principal, query.userId);
    return this.accounts.list(principal.tenantId, userId);
  }

  @Post('steam/openid')
  @HttpCode(200)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Link Steam by signing in through Steam: send the browser to redirectUrl; Steam returns it to the callback, which creates the link' })
  startSteamSignIn(@CurrentPrincipal() principal: Principal) {
    return this.accounts.startOpenIdSignIn(principal, 'steam');
  }

  @Get('steam/openid/callback')
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: "Steam's OpenID redirect target: verifies the assertion with Steam and links the account to whoever started the sign-in" })
  completeSteamSignIn(@Query() query: Record<string, string | undefined>) {
    return this.accounts.completeOpenIdSignIn('steam', query);
  }

  @Post('steam')
  @HttpCode(201)
  @RequirePermission('activity.accounts.manage')
  @ApiOperation({ summary: 'Tenant admins: link a Steam account (SteamID64, profile URL or custom URL name) to a user; the first sync starts by itself' })
  linkSteam(@CurrentPrincipal() principal: Principal, @Body() body: LinkSteamAccountDto) {
    return this.accounts.link(principal.tenantId, body.userId, 'steam', body.account);
  }

  @Post('minecraft')
  @RequirePermission('activity.accounts.link')
  @ApiOperation({
    summary: 'Link a Minecraft player UUID',
    description:
      'Players get 202 with a code to type in game (`/activity link CODE`); the link exists once a server of the tenant confirms it. Tenant admins may pass userId to link directly (201).',
  })
  async linkMinecraft(
    @CurrentPrincipal() principal: Principal,
    @Body() body: LinkMinecraftAccountDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (body.userId !== undefined) {
      await this.access.require(principal, 'activity.accounts.manage');
      void reply.status(201);
      return this.accounts.link(principal.tenantId, body.userId, 'minecraft', body.account);
    }
    void reply.status(202);
    return this.accounts.requestCode(principal, 'minecraft', body.account, negotiateLocale(acceptLanguage));
  }

  @Post(':provider/authorize')
  @HttpCode(200)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({
    summary: 'Link an OAuth2 platform (Discord): send the browser to authorizeUrl; the platform returns it to the callback with a code, which links the account',
    description: 'The URL carries PKCE (S256) and a state bound to the caller, valid for 10 minutes and usable once.',
  })
  startOAuth(@CurrentPrincipal() principal: Principal, @Param() params: ProviderParams) {
    return this.accounts.startOAuth(principal, params.provider);
  }

  @Get(':provider/callback')
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary:
      "The platform's OAuth2 redirect target: exchanges the code (with the PKCE verifier) and links the account to whoever started; suggests the player's verified connections",
  })
  completeOAuth(@Param() params: ProviderParams, @Query() query: Record<string, string | undefined>) {
    return this.accounts.completeOAuth(params.provider, query);
  }

  @Post(':provider/through/:via')
  @HttpCode(201)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({
    summary:
      'Link a platform through your own live link of another: TruckersMP through Steam (TruckersMP finds the player by their SteamID64), or Steam through Discord (a verified connection of your Discord account); the first sync starts by itself',
  })
  linkThrough(@CurrentPrincipal() principal: Principal, @Param() params: LinkThroughParams) {
    return this.accounts.linkThrough(principal, params.provider, params.via);
  }

  @Post(':provider')
  @HttpCode(201)
  @RequirePermission('activity.accounts.manage')
  @ApiOperation({ summary: 'Tenant admins: link a typed account of any connector that resolves typed ids (e.g. a TruckersMP id or profile URL) to a user' })
  linkTyped(@CurrentPrincipal() principal: Principal, @Param() params: ProviderParams, @Body() body: LinkAccountDto) {
    return this.accounts.link(principal.tenantId, body.userId, params.provider, body.account);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: "Revoke a link (your own; tenant admins: anyone's): syncing stops and account.linked (revoked) is published" })
  async revoke(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams): Promise<void> {
    await this.accounts.revoke(principal, params.id, this.canManage(principal));
  }

  @Post(':id/sync')
  @HttpCode(202)
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'Sync now (once a minute per link; 429 with Retry-After otherwise)' })
  syncNow(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams) {
    return this.accounts.syncNow(principal, params.id, this.canManage(principal));
  }

  @Get(':id/sync-runs')
  @RequirePermission('activity.accounts.link')
  @ApiOperation({ summary: 'The last 20 sync runs of a link' })
  syncRuns(@CurrentPrincipal() principal: Principal, @Param() params: AccountIdParams) {
    return this.accounts.syncRuns(principal, params.id, this.canManage(principal));
  }

  /** Whose links a request is about: the caller's, or (with the manage permission) the named user's. */
  private async subject(principal: Principal, userId: string | undefined): Promise<string> {
    if (userId === undefined || userId === principal.userId) return principal.userId;
    await this.access.require(principal, 'activity.accounts.manage');
    return userId;
  }

  private canManage(principal: Principal): ManagePermission {
    return () =>
      this.access.require(principal, 'activity.accounts.manage').then(
        () => true,
        () => false,
      );
  }
}
