#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run bench`: every benchmark against its baseline, in one process tree (bench/README.md,
 * docs/performance.md). The TypeScript of bench/ runs through @swc/core, as bench/run.js does.
 *
 *   node bench/suite.js [--runs N] [--storm-runs N] [--only check,download,storm,kill,import,replicate]
 */

const path = require('node:path');
const { ensureNpmDependencies } = require('../tools/local-pool/prerequisites');

const ROOT = path.resolve(__dirname, '..');

ensureNpmDependencies(ROOT, (line) => process.stderr.write(`[bench] ${line}\n`));

require('./typescript-loader').registerTypeScript();

require(path.join(__dirname, 'suite.ts'));
