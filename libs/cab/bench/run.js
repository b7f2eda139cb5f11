// Runs a TypeScript bench file without a build step: `node libs/cab/bench/run.js extract-throughput.ts [MB]`.
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformFileSync(filename, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

require(path.resolve(__dirname, process.argv[2] ?? 'extract-throughput.ts'));
