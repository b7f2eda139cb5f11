import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configVariables } from './config.schema';
import { loadConfig } from './load-config';
import { describeRedisAddress, type RedisAddress } from './redis-address';

/** README.md's variable table: `| \`NAME\` | default | meaning |`. */
function documentedVariables(): Map<string, string> {
  const readme = readFileSync(resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)) {
    rows.set(match[1], match[2].trim());
  }
  return rows;
}

describe('README.md documents the configuration', () => {
  const documented = documentedVariables();

  it('lists every variable the schema reads, and no other', () => {
    expect([...documented.keys()].sort()).toEqual([...configVariables].sort());
  });

  it('gives each literal default as the schema has it', () => {
    const defaults = loadConfig({ S3_ACCESS_KEY: 'key', S3_SECRET_KEY: 'secret-key' }) as Record<string, unknown>;
    const literal = [...documented].filter(([, cell]) => cell.startsWith('`') && !cell.includes('<'));
    expect(literal.length).toBeGreaterThan(15);
    for (const [name, cell] of literal) {
      const value = defaults[name];
      const shown = Array.isArray(value) ? value.join(',') : name === 'REDIS_URL' ? describeRedisAddress(value as RedisAddress) : String(value);
      expect([name, shown]).toEqual([name, cell.slice(1, -1)]);
    }
  });
});
