#!/usr/bin/env node
// @ts-check
'use strict';

/** Runs one TypeScript file of bench/ through @swc/core, as bench/run.js runs main.ts: `node bench/run-script.js <file.ts> [args]`. */
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

require.extensions['.ts'] = (/** @type {NodeJS.Module} */ module, /** @type {string} */ filename) => {
  const { code } = transformFileSync(filename, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module))._compile(code, filename);
};
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], path.resolve(__dirname, file), ...rest];
require(path.resolve(__dirname, file));
