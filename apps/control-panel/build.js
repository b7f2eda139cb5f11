// @ts-check
'use strict';

/**
 * Builds the control panel into dist/control-panel/: one script and one stylesheet bundled by
 * esbuild, named by their content hash (served as immutable), and an index.html that names them
 * (served with no-cache). Run by `npm run build`; type checking is `tsc -p apps/control-panel`.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'control-panel');

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: __dirname,
    entryPoints: { main: 'src/main.tsx' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: path.join(OUT, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) {
    throw new Error(`esbuild wrote ${outputs.join(', ')}: expected one .js and one .css`);
  }
  const template = fs.readFileSync(path.join(__dirname, 'index.html'), 'utf8');
  fs.writeFileSync(
    path.join(OUT, 'index.html'),
    template.replace('%STYLE%', `assets/${style}`).replace('%SCRIPT%', `assets/${script}`),
  );
}

main().catch((error) => {
  process.stderr.write(`control panel build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
