import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { CreateWebhookSourceDto, DryRunDto, RotateWebhookSecretDto, UpdateWebhookSourceDto, WebhookSourceIdParams } from './webhook-sources.dto';
import { WebhookSourcesService } from './webhook-sources.service';

/** Tenant admins manage their community's webhook sources (docs/webhooks.md#custom-webhook-sources). */
@ApiTags('webhook-sources')
@ApiBearerAuth()
@Controller('v2/webhook-sources')
export class WebhookSourcesController {
  constructor(private readonly sources: WebhookSourcesService) {}

  @Get()
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: "The tenant's webhook sources, with their rules and how many deliveries matched no rule" })
  list(@CurrentPrincipal() principal: Principal) {
    return this.sources.list(principal.tenantId);
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'Create a source (custom by default: a signature scheme and JSONata mapping rules); the answer shows its signing secret once' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookSourceDto) {
    return this.sources.create(principal.tenantId, body);
  }

  @Get(':id')
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'One source, with the shapes (keys and value types, no values) of the last deliveries that matched no rule' })
  get(@CurrentPrincipal() principal: Principal, @Param() params: WebhookSourceIdParams) {
    return this.sources.get(principal.tenantId, params.id);
  }

  @Patch(':id')
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'Rename, disable or enable a source, or replace its signature scheme or rules (rules are compiled before they are saved)' })
  update(@CurrentPrincipal() principal: Principal, @Param() params: WebhookSourceIdParams, @Body() body: UpdateWebhookSourceDto) {
    return this.sources.update(principal.tenantId, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'Delete a source: its deliveries are refused from then on (404)' })
  async remove(@CurrentPrincipal() principal: Principal, @Param() params: WebhookSourceIdParams): Promise<void> {
    await this.sources.remove(principal.tenantId, params.id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'A new signing secret (shown once); the current ones keep working for graceSeconds' })
  rotate(@CurrentPrincipal() principal: Principal, @Param() params: WebhookSourceIdParams, @Body() body: RotateWebhookSecretDto) {
    return this.sources.rotate(principal.tenantId, params.id, body);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @RequirePermission('activity.webhooks.manage')
  @ApiOperation({ summary: 'What the rules (saved, or given) make of a sample body and headers: the events, or the rule error with its position; nothing is written' })
  dryRun(@CurrentPrincipal() principal: Principal, @Param() params: WebhookSourceIdParams, @Body() body: DryRunDto) {
    return this.sources.dryRun(principal.tenantId, params.id, body);
  }
}
