import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A node's replica store (UCU_REPLICA_DIR): every file of the catalogue under its SHA-256, fanned
 * out by its first two hex digits (`ab/abcdef…`) so no directory grows huge. The node's worker
 * writes files in place by rename, so a file here is whole; the frontend reads them.
 */
export class ReplicaStore {
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** The file opened for reading when the store holds it with the expected size; else null. */
  async openVerifiedSize(sha256: string, size: number): Promise<FileHandle | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const stat = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    if (!stat.isFile() || stat.size !== size) {
      await handle.close();
      return null;
    }
    return handle;
  }
}
