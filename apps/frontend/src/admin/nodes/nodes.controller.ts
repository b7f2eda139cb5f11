import { Controller, Get, Inject, Query } from '@nestjs/common';
import { pageQuery } from '@ucupdates/admin-api/input';
import { type NodeView, type Page, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { PoolNodesService } from '@ucupdates/pool';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { ApiTags } from '@nestjs/swagger';

@Controller()
@ApiTags('pool')
@RequireRole(Role.Viewer)
export class NodesController {
  constructor(@Inject(PoolNodesService) private readonly nodes: PoolNodesService) {}

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
}
