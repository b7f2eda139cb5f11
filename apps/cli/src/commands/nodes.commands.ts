import { NODE_ID_FORM, NODE_ID_PATTERN, type NodeView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, showDone, showList } from '../command';
import { UsageError } from '../exit-codes';
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
  {
    name: 'remove-node',
    group: 'Pool',
    summary: 'remove a stopped node from the pool',
    usage: 'ID [--force]',
    description:
      "Removes a node for good (a server retired, a StatefulSet scaled down): its replica rows and its replication queue go, and approvals and admin changes stop waiting for it. Refused (exit 5, NodeActive) while its frontend or worker still beats: stop the node first, or give --force (a node still running registers again at its next heartbeat and fills its store anew).",
    options: { force: { type: 'boolean', description: 'remove it even while it still beats' } },
    args: { min: 1, max: 1 },
    examples: ['ucupdates remove-node node-4', 'ucupdates remove-node ucupdates-4 --force'],
    async run(context, input) {
      const id = input.args[0];
      if (!NODE_ID_PATTERN.test(id)) {
        throw new UsageError(`"${id}" is not a node id: ids are what get-node lists (${NODE_ID_FORM})`);
      }
      await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.node, { id }), query: { force: input.options.force === true ? 'true' : undefined } });
      showDone(context, `Removed node ${id}.`);
    },
  },
];
