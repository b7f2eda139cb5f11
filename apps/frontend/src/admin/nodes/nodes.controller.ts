import { Controller, Get, Inject } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import { type PoolNodeView, PoolNodesService } from '@ucupdates/pool';
import { RequireRole } from '../../auth/roles';
import { ApiTags } from '@nestjs/swagger';

@Controller('api/v1/nodes')
@ApiTags('pool')
@RequireRole(Role.Viewer)
export class NodesController {
  constructor(@Inject(PoolNodesService) private readonly nodes: PoolNodesService) {}

  /**
   * The pool's nodes, active or down by their heartbeat, with their replica counts. A pool has a
   * handful of nodes, so the list is one page; it keeps the list shape of every other list.
   */
  @Get()
  async list(): Promise<{ items: PoolNodeView[]; nextCursor: null }> {
    return { items: await this.nodes.list(), nextCursor: null };
  }
}
