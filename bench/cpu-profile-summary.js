#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `node bench/run.js check --cpu-prof` takes of
 * the node): where the time went, by function (self time), by package or part of the code, and the
 * time spent inside the application's own functions (inclusive).
 *
 *   node bench/cpu-profile-summary.js <file.cpuprofile> [--top 25]
 */

const fs = require('node:fs');
const path = require('node:path');

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} Profile
 * @typedef {{ name: string, ms: number, share: number }} Entry
 */

/**
 * Where an update check's time goes: a sample counts for the first of these that its stack
 * matches (any frame of the stack, or only the frame it was taken in for `leaf` ones), so a sample
 * in pg under the audit writer counts as audit, and a socket write under Nest's reply as HTTP.
 * Names of the application's functions (parseUpdateCheckRequest, planCheck, …): keep them in step
 * when those are renamed.
 * @type {{ name: string, leaf?: boolean, test: (frame: CallFrame) => boolean }[]}
 */
const PHASES = [
  { name: 'garbage collection', test: (f) => f.functionName === '(garbage collector)' },
  { name: 'XML parse (parseUpdateCheckRequest)', test: (f) => f.functionName === 'parseUpdateCheckRequest' },
  {
    name: 'audit and inventory write (writer, typeorm, pg)',
    test: (f) => /request-audit-writer|node_modules\/(pg|pg-protocol|pg-pool|typeorm)\//.test(f.url),
  },
  { name: 'request log line (pino)', test: (f) => /node_modules\/(pino|sonic-boom)\//.test(f.url) },
  { name: 'metrics (prom-client)', test: (f) => /node_modules\/prom-client\//.test(f.url) },
  { name: 'offer decision (planCheck)', test: (f) => f.functionName === 'planCheck' },
  { name: 'answer (responseModule, renderUpdateCheckResponse)', test: (f) => /^(responseModule|renderUpdateCheckResponse)$/.test(f.functionName) },
  { name: 'async_hooks (AsyncLocalStorage, AsyncResource.bind)', test: (f) => /async_hooks|async_local_storage/.test(f.url) },
  {
    name: "Node's HTTP and sockets (parse, write)",
    leaf: true,
    test: (f) => /^node:(_http|net|internal\/stream)/.test(f.url) || /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(f.functionName),
  },
  { name: 'Nest (router execution, guards, pipes, filters)', test: (f) => /node_modules\/@nestjs\//.test(f.url) },
  { name: 'Fastify (routing, hooks, body, reply)', test: (f) => /node_modules\/(fastify|find-my-way|@fastify\/[^/]+)\//.test(f.url) },
];

/** @param {Profile} profile @param {{ top?: number, root?: string }} options */
function summarise(profile, { top = 25, root = process.cwd() } = {}) {
  /** @type {Map<number, ProfileNode>} */
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  /** @type {Map<string, number>} */ const self = new Map();
  /** @type {Map<string, number>} */ const byPart = new Map();
  /** @type {Map<string, number>} */ const inclusive = new Map();
  /** @type {Map<string, number>} */ const phases = new Map();
  let total = 0;
  let idle = 0;
  // Phases count from the first sample inside an update check: start-up is not part of one.
  let checking = false;
  let checkingMs = 0;
  profile.samples.forEach((id, index) => {
    // A sample's delta is the time since the previous one: the time spent where it was taken.
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node) return;
    total += ms;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    add(self, functionKey(node.callFrame, root), ms);
    /** @type {CallFrame[]} */
    const stack = [];
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      stack.push(/** @type {ProfileNode} */ (nodes.get(at)).callFrame);
    }
    checking ||= stack.some((frame) => frame.functionName === 'parseUpdateCheckRequest');
    if (checking) {
      checkingMs += ms;
      const phase = PHASES.find(({ leaf, test }) => (leaf ? test(stack[0]) : stack.some(test)));
      add(phases, phase?.name ?? 'other', ms);
    }
    add(byPart, partOf(node.callFrame), ms);
    /** @type {Set<string>} */
    const seen = new Set();
    for (const frame of stack) {
      if (!isApplication(frame)) continue;
      const key = functionKey(frame, root);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  });
  const busy = total - idle;
  const entries = (/** @type {Map<string, number>} */ map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy > 0 ? ms / busy : 0 }));
  const phaseEntries = [...phases.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: checkingMs > 0 ? ms / checkingMs : 0 }));
  return {
    totalMs: Math.round(total),
    idleMs: Math.round(idle),
    busyMs: Math.round(busy),
    selfTime: entries(self),
    byPart: entries(byPart),
    applicationInclusive: entries(inclusive),
    checkingMs: Math.round(checkingMs),
    updateCheckPhases: phaseEntries,
  };
}

function add(/** @type {Map<string, number>} */ map, /** @type {string} */ key, /** @type {number} */ ms) {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function functionKey(/** @type {CallFrame} */ frame, /** @type {string} */ root) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.replace(/^file:\/\//, '');
  const shown = file.startsWith(root) ? path.relative(root, file) : file;
  return `${name}  ${shown}:${frame.lineNumber + 1}`;
}

/** The package (node_modules/<name>), the application's own code, Node's internals, or V8's own entries. */
function partOf(/** @type {CallFrame} */ frame) {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith('node:')) return 'node: internals';
  if (/\/dist\/apps\//.test(url)) return 'ucupdates (apps, libs)';
  return url;
}

function isApplication(/** @type {CallFrame} */ frame) {
  return /\/dist\/apps\//.test(frame.url) && !/node_modules/.test(frame.url);
}

/** @param {ReturnType<typeof summarise>} summary */
function render(summary) {
  const table = (/** @type {string} */ title, /** @type {Entry[]} */ entries) =>
    [
      title,
      ...entries.map((entry) => `  ${String(entry.ms).padStart(7)} ms  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.name}`),
    ].join('\n');
  return [
    `profile: ${summary.totalMs} ms, of which idle ${summary.idleMs} ms; shares are of the ${summary.busyMs} ms busy`,
    table(
      `busy time from the first update check on (${summary.checkingMs} ms), by what it was spent on:`,
      summary.updateCheckPhases,
    ),
    table('self time by function:', summary.selfTime),
    table('self time by package or part:', summary.byPart),
    table("inclusive time of the application's own functions:", summary.applicationInclusive),
  ].join('\n\n');
}

module.exports = { summarise, render };

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/cpu-profile-summary.js <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  const topIndex = rest.indexOf('--top');
  const top = topIndex >= 0 ? Number(rest[topIndex + 1]) : 25;
  const profile = /** @type {Profile} */ (JSON.parse(fs.readFileSync(file, 'utf8')));
  process.stdout.write(`${render(summarise(profile, { top, root: path.resolve(__dirname, '..') }))}\n`);
}
