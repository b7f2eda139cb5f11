import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** One built file of the control panel, held in memory (the whole panel is a few hundred KiB). */
export interface PanelFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Hashed asset names the build writes (`main-3F2A9C1B.js`): only those are served, nothing else. */
export const ASSET_NAME = /^[A-Za-z0-9_-]+-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * The built panel (`npm run build` writes `dist/control-panel/`): its `index.html` and its hashed
 * assets. Found by walking up from this file, so the same code finds it from `dist/` (the apps)
 * and from the sources (tests); `null` when the panel has not been built.
 */
export function loadControlPanelFiles(start = __dirname): { index: PanelFile; assets: Map<string, PanelFile> } | null {
  const root = findBuild(start);
  if (!root) {
    return null;
  }
  const assets = new Map<string, PanelFile>();
  const assetDir = join(root, 'assets');
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    const type = CONTENT_TYPES[extname(name)];
    if (type && ASSET_NAME.test(name)) {
      assets.set(name, fileOf(readFileSync(join(assetDir, name)), type));
    }
  }
  return { index: fileOf(readFileSync(join(root, 'index.html')), CONTENT_TYPES['.html']), assets };
}

function findBuild(start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'control-panel');
    if (existsSync(join(candidate, 'index.html'))) {
      return candidate;
    }
    if (dirname(dir) === dir) {
      return null;
    }
  }
}

function fileOf(body: Buffer, contentType: string): PanelFile {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
