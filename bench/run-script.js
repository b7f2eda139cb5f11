#!/usr/bin/env node
// @ts-check
'use strict';

/** Runs one TypeScript file of bench/ through @swc/core, as bench/run.js runs main.ts: `node bench/run-script.js <file.ts> [args]`. */
const path = require('node:path');
require('./typescript-loader').registerTypeScript();
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], path.resolve(__dirname, file), ...rest];
require(path.resolve(__dirname, file));
