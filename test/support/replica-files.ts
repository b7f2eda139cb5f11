import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { sha256OfFile } from './digests';

export interface CatalogueFile {
  sha256: string;
  size: number;
}

/** Every file some update version uses: what each node's replica store must hold. */
export async function catalogueFiles(db: Client): Promise<CatalogueFile[]> {
  const { rows } = await db.query<{ sha256: string; size: string }>(
    `SELECT DISTINCT f.sha256, fi.size::bigint AS size FROM update_version_files f JOIN files fi USING (sha256) ORDER BY f.sha256`,
  );
  return rows.map((row) => ({ sha256: row.sha256, size: Number(row.size) }));
}

/** Where a replica store keeps a file (libs/storage ReplicaStore): `<dir>/<first two hex>/<sha256>`. */
export function replicaPath(replicaDir: string, sha256: string): string {
  return join(replicaDir, sha256.slice(0, 2), sha256);
}

/** The store holds every file at its size (cheap: what a wait polls). */
export function holdsEveryFile(replicaDir: string, files: CatalogueFile[]): boolean {
  return files.every((file) => existsSync(replicaPath(replicaDir, file.sha256)) && statSync(replicaPath(replicaDir, file.sha256)).size === file.size);
}

/** The hashes of the store's copies that are not the file they are named after (none when all are right). */
export async function wrongReplicas(replicaDir: string, files: CatalogueFile[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const file of files) {
    if ((await sha256OfFile(replicaPath(replicaDir, file.sha256))) !== file.sha256) wrong.push(file.sha256);
  }
  return wrong;
}
