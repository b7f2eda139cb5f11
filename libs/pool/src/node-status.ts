export type NodeStatus = 'active' | 'down';

/**
 * A node is active while its frontend's last heartbeat is younger than the down-after timeout.
 * Both times come from the database clock, so no node's own clock has to be right.
 */
export function nodeStatus(frontendHeartbeatAt: Date | null, databaseNow: Date, downAfterMs: number): NodeStatus {
  if (frontendHeartbeatAt === null) {
    return 'down';
  }
  return databaseNow.getTime() - frontendHeartbeatAt.getTime() < downAfterMs ? 'active' : 'down';
}
