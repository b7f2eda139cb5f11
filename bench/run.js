#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the benchmarks (`npm run bench:check`; bench/README.md). Node's built-ins only until the npm
 * dependencies are installed, like the pool runner, so it works on a fresh clone; then the
 * TypeScript of bench/ runs through @swc/core without a build step (as libs/cab/bench/run.js does).
 *
 *   node bench/run.js [check] [download] [--runs N] [--duration S] [--warmup S] [--cpu-prof]
 */

const path = require('node:path');
const { ensureNpmDependencies } = require('../tools/local-pool/prerequisites');

const ROOT = path.resolve(__dirname, '..');

ensureNpmDependencies(ROOT, (line) => process.stderr.write(`[bench] ${line}\n`));

require('./typescript-loader').registerTypeScript();

require(path.join(__dirname, 'main.ts'));
