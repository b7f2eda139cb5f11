#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The one entry point of the benchmarks (`npm run bench`, `bench:check`, `bench:replicate`,
 * `bench:import`; bench/README.md): main.ts runs those of the registry (registry.ts) named on the
 * command line, every one when none is. Node's built-ins only until the npm dependencies are
 * installed, like the pool runner, so it works on a fresh clone; then the TypeScript of bench/
 * runs through @swc/core without a build step.
 *
 *   node bench/run.js [NAME …] [--runs N] [--size-mb N] [--cpu-prof] … | --help
 */

const path = require('node:path');
const { ensureNpmDependencies } = require('../tools/local-pool/prerequisites');

const ROOT = path.resolve(__dirname, '..');

ensureNpmDependencies(ROOT, (line) => process.stderr.write(`[bench] ${line}\n`));

require('./typescript-loader').registerTypeScript();

require(path.join(__dirname, 'main.ts'));
