import { type NodeView, ROUTES } from '@ucupdates/admin-api';
import { type Command, showList } from '../command';
import type { Column } from '../table';

const COLUMNS: Column<NodeView>[] = [
  { header: 'Id', value: (node) => node.id },
  { header: 'Status', value: (node) => node.status },
  { header: 'Worker', value: (node) => node.worker?.status },
  { header: 'Url', value: (node) => node.url },
  { header: 'LastHeartbeatAt', value: (node) => node.lastHeartbeatAt },
  { header: 'AppVersion', value: (node) => node.appVersion },
  { header: 'FilesReady', value: (node) => node.replicas?.ready },
  { header: 'FilesMissing', value: (node) => node.replicas?.missing },
  { header: 'ScrubPassCompletedAt', value: (node) => node.scrub?.passCompletedAt },
  { header: 'ScrubMismatches', value: (node) => node.scrub?.mismatches },
];

export const NODE_COMMANDS: Command[] = [
  {
    name: 'get-node',
    group: 'Pool',
    summary: "list the pool's nodes and their replicas",
    usage: '',
    description:
      "Lists the pool's nodes: active or down by their heartbeat, their worker's status, and how many update files each holds ready or still lacks, and what the scrub of its replica store found (when it last finished a pass, how many files it found corrupt and replaced).",
    options: {},
    args: { min: 0, max: 0 },
    examples: ['ucupdates get-node', 'ucupdates get-node --json'],
    async run(context) {
      showList(context, await context.api.listAll<NodeView>(ROUTES.nodes), COLUMNS, 'nodes');
    },
  },
];
