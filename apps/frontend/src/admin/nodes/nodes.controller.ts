import { Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import { forceQuery, nodeParams, pageQuery } from '@ucupdates/admin-api/input';
import { type NodeView, type Page, type PoolActivityView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { PoolNodesService } from '@ucupdates/pool';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { NodesService } from './nodes.service';
import { PoolActivityService } from './pool-activity.service';
import { ApiTags } from '@nestjs/swagger';

@Controller()
@ApiTags('pool')
@RequireRole(Role.Viewer)
export class NodesController {
  constructor(
    @Inject(PoolNodesService) private readonly nodes: PoolNodesService,
    @Inject(NodesService) private readonly removal: NodesService,
    @Inject(PoolActivityService) private readonly activity: PoolActivityService,
  ) {}

  /**
   * The pool's nodes, active or down by their heartbeat, with their replica counts. A pool has a
   * handful of nodes, so the list is one page; it keeps the list shape of every other list.
   */
  @Get(ROUTES.nodes)
  @ApiQueryOf(pageQuery)
  async list(@Query() query: unknown): Promise<Page<NodeView>> {
    parseInput(pageQuery, query); // one page whatever the limit; an unknown field is still refused
    return { items: await this.nodes.list(), nextCursor: null };
  }

  /**
   * Every node's last hour per minute — update checks and downloads per second, check latency —
   * from what each node counted itself and keeps in Redis for an hour (decision 65): the Pool
   * page's charts, without a Prometheus of the pool's own.
   */
  @Get(ROUTES.nodeActivity)
  async lastHour(): Promise<PoolActivityView> {
    return this.activity.lastHour();
  }

  /**
   * Drains a node out of the pool (NodesService.remove): refused 409 NodeActive while it still
   * beats, unless `?force=true`.
   */
  @Delete(ROUTES.node)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Admin)
  @ApiQueryOf(forceQuery)
  async remove(@Param() params: unknown, @Query() query: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    const { force } = parseInput(forceQuery, query);
    await this.removal.remove(parseInput(nodeParams, params).id, principal, { force });
  }
}
