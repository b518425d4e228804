import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { Inject } from '@nestjs/common';
import { CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { assertGroupingRule, DEFAULT_GROUPING_RULE, DomainError, eventCatalogue, typeOfGroupKey } from '@activity/domain';
import { DATA_SOURCE, FeedGroupStore, inTenantTransaction } from '@activity/persistence';
import { AggregatedFeedService } from './aggregated-feed.service';
import { GroupingRuleDto } from './feed-query.dto';

/** A group key as the aggregated feed gives it; anything else is no group of ours. */
function groupKey(key: string): string {
  if (!typeOfGroupKey(key)) throw new DomainError('not_found', { path: `group ${key.slice(0, 100)}` });
  return key;
}

function knownType(type: string): string {
  if (!eventCatalogue().isKnown(type)) throw new DomainError('unknown_event_type', { type: type.slice(0, 100) });
  return type;
}

/** Aggregated feeds: each group's read and seen state, all seen at once, and tenants' grouping rules. */
@ApiTags('feed')
@ApiBearerAuth()
@Controller('v2/feed')
export class FeedGroupsController {
  constructor(
    private readonly aggregated: AggregatedFeedService,
    @Inject(FeedGroupStore) private readonly groups: FeedGroupStore,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  @Post('groups/:key/read')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Mark one group read (and seen) up to its newest member', description: "The user's other open clients are told at once." })
  markRead(@CurrentPrincipal() principal: Principal, @Param('key') key: string) {
    return this.aggregated.mark(principal, groupKey(key), 'read');
  }

  @Post('groups/:key/seen')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Mark one group seen up to its newest member' })
  markSeen(@CurrentPrincipal() principal: Principal, @Param('key') key: string) {
    return this.aggregated.mark(principal, groupKey(key), 'seen');
  }

  @Post('seen')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Mark every group seen (the badge of unseen groups goes to 0; read state is unchanged)' })
  markAllSeen(@CurrentPrincipal() principal: Principal) {
    return this.aggregated.markAllSeen(principal);
  }

  @Get('grouping-rules')
  @RequirePermission('activity.admin')
  @ApiOperation({ summary: "The tenant's grouping rules: its own, over the connectors' defaults (actor and target per UTC day otherwise)" })
  async rules(@CurrentPrincipal() principal: Principal) {
    const own = await inTenantTransaction(this.dataSource, principal.tenantId, (tx) => this.groups.rules(tx));
    return { default: DEFAULT_GROUPING_RULE, rules: Object.fromEntries([...own.entries()].sort(([a], [b]) => a.localeCompare(b))) };
  }

  @Put('grouping-rules/:type')
  @RequirePermission('activity.admin')
  @ApiOperation({ summary: 'Group a type by other fields or another window in this tenant (events written from now on, within 30 s)' })
  async putRule(@CurrentPrincipal() principal: Principal, @Param('type') type: string, @Body() body: GroupingRuleDto) {
    const rule = assertGroupingRule(body);
    await inTenantTransaction(this.dataSource, principal.tenantId, (tx) => this.groups.putRule(tx, knownType(type), rule));
    return { type, ...rule };
  }

  @Delete('grouping-rules/:type')
  @HttpCode(204)
  @RequirePermission('activity.admin')
  @ApiOperation({ summary: "Back to the connector's default rule for the type" })
  async deleteRule(@CurrentPrincipal() principal: Principal, @Param('type') type: string): Promise<void> {
    if (!(await inTenantTransaction(this.dataSource, principal.tenantId, (tx) => this.groups.deleteRule(tx, knownType(type))))) {
      throw new DomainError('not_found', { path: `grouping rule ${type}` });
    }
  }
}
