import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/architecture.md lists, for every flow, the files it passes through. This keeps the lists
 * true: every repository path the page writes in backticks must exist, so moving or renaming a
 * file without updating the page fails here.
 */
const ROOT = join(__dirname, '..', '..');
const TOP_LEVEL = ['apps', 'libs', 'test', 'tools', 'deploy', 'bench', 'docs'];

/** The backticked spans of a Markdown text that name a path under one of the repository's top folders. */
export function repositoryPaths(markdown: string): string[] {
  const paths = new Set<string>();
  for (const [, span] of markdown.matchAll(/`([^`\n]+)`/g)) {
    const path = span.trim().replace(/\/$/, '');
    if (TOP_LEVEL.some((top) => path.startsWith(`${top}/`)) && /^[\w./-]+$/.test(path)) paths.add(path);
  }
  return [...paths];
}

describe('docs/architecture.md', () => {
  const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const paths = repositoryPaths(page);

  it('names the files of every flow', () => {
    for (const flow of ['Import', 'Replication', 'Approval', 'Update check', 'Download', 'Device logs', 'Phone sign-in']) {
      expect(page).toMatch(new RegExp(`^## \\d+\\. ${flow}$`, 'm'));
    }
    expect(paths.length).toBeGreaterThan(50);
  });

  it('names only paths that exist in the repository', () => {
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('takes backticked repository paths and nothing else', () => {
    expect(
      repositoryPaths('`apps/worker/src/main.ts` and `libs/rules/` but not `npm test`, `files/<sha256>` or `apps/*/src`'),
    ).toEqual(['apps/worker/src/main.ts', 'libs/rules']);
  });
});
