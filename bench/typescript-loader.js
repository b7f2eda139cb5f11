// @ts-check
'use strict';

const path = require('node:path');

/**
 * Lets `require` load the TypeScript of bench/ through @swc/core, without a build step, with
 * inline source maps so stack traces name the .ts lines; `@ucupdates/<lib>` is libs/<lib>/src, as
 * tsconfig.json's paths say (a library the benchmarks load may import another).
 */
function registerTypeScript() {
  const Module = /** @type {{ _resolveFilename(request: string, ...rest: unknown[]): string }} */ (/** @type {unknown} */ (require('node:module')));
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const alias = /^@ucupdates\/([a-z-]+)(\/.*)?$/.exec(request);
    return resolve.call(this, alias ? path.join(__dirname, '..', 'libs', alias[1], 'src', alias[2] ?? '') : request, ...rest);
  };
  const { transformFileSync } = require(path.resolve(__dirname, '..', 'node_modules', '@swc/core'));
  require.extensions['.ts'] = (/** @type {NodeJS.Module} */ module, /** @type {string} */ filename) => {
    const { code } = transformFileSync(filename, {
      // Decorators as the apps' build and Jest take them: a test's child process may load a file
      // whose imports reach a Nest module (test/support/audit-log-appender.ts).
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    });
    /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module))._compile(code, filename);
  };
  process.setSourceMapsEnabled(true);
}

module.exports = { registerTypeScript };
