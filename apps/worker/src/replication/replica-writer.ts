import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { OffThreadDigest } from '@ucupdates/hashing';
import { ObjectKeys, type ObjectStorage, type ReplicaStore } from '@ucupdates/storage';

/** What the store holds under a SHA-256 name. */
export interface StoredReplica {
  sha256: string;
  size: number;
  mtimeMs: number;
}

export class ReplicaVerificationError extends Error {}

export class ObjectMissingError extends Error {}

const SHA256_NAME = /^[0-9a-f]{64}$/;
const FAN_OUT_DIR = /^[0-9a-f]{2}$/;
/** Written by place(); only ever renamed into place once verified. */
const TEMPORARY_PREFIX = '.tmp-';
/**
 * The object's bytes go to disk this many at a time, in one writev: a socket hands them over in
 * pieces of 64 KiB at most, and one write per piece cost a round trip through libuv's thread pool
 * each (bench:replicate's profile of a worker: 16 % of its time in fs.write).
 */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Writes files into a node's replica store so that a file under its final name is always whole
 * and verified: the bytes go to a temporary file in the target's own directory (so the rename
 * cannot cross file systems), are hashed on the way, checked for size and SHA-256, fsynced, then
 * renamed into place, and the directory is fsynced so the rename survives a crash. A file that
 * fails the check is deleted, never renamed.
 */
export class ReplicaWriter {
  constructor(
    readonly store: ReplicaStore,
    private readonly storage: ObjectStorage,
  ) {}

  /**
   * Makes the store hold the file: `present` when it already held it whole (checked by hashing:
   * a file of the right size may still be corrupt), `placed` when it was fetched.
   */
  async place(sha256: string, size: number): Promise<'present' | 'placed'> {
    const target = this.store.pathOf(sha256);
    if (await this.holds(sha256, size)) {
      return 'present';
    }
    // A wrong file under the name would be served (frontends check the size only): away with it
    // before anything else, so phones get the object store's bytes until this job succeeds.
    await rm(target, { force: true });
    const key = ObjectKeys.file(sha256);
    if ((await this.storage.stat(key)) === null) {
      throw new ObjectMissingError(`object ${key} does not exist`);
    }
    const directory = dirname(target);
    await mkdir(directory, { recursive: true });
    const temporary = join(directory, `${TEMPORARY_PREFIX}${sha256}-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(temporary, 'wx');
      let copied: { bytes: number; sha256: string };
      try {
        copied = await copyHashing(await this.storage.get(key), handle);
        if (copied.bytes === size && copied.sha256 === sha256) {
          await handle.sync();
        }
      } finally {
        await handle.close();
      }
      if (copied.bytes !== size || copied.sha256 !== sha256) {
        throw new ReplicaVerificationError(
          `object ${key} does not match: ${copied.bytes} bytes with SHA-256 ${copied.sha256}, expected ${size} bytes`,
        );
      }
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await fsync(directory, 'r');
    return 'placed';
  }

  /** True when the store holds the file with this size and SHA-256 (read and hashed whole). */
  async holds(sha256: string, size: number): Promise<boolean> {
    const path = this.store.pathOf(sha256);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!info || !info.isFile() || info.size !== size) {
      return false;
    }
    return (await hashFile(path)) === sha256;
  }

  /** Removes the file from the store; a missing file is no error. */
  async remove(sha256: string): Promise<void> {
    const path = this.store.pathOf(sha256);
    await rm(path, { force: true });
    await fsync(dirname(path), 'r').catch(() => undefined);
  }

  /** The size and modification time of the file, or null when the store lacks it. */
  async statOf(sha256: string): Promise<StoredReplica | null> {
    const info = await stat(this.store.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return info?.isFile() ? { sha256, size: info.size, mtimeMs: info.mtimeMs } : null;
  }

  /**
   * Every file the store holds under a SHA-256 name in its right fan-out directory. Temporary
   * files and anything else are skipped (they are not the store's, or not yet).
   */
  async list(): Promise<StoredReplica[]> {
    const found: StoredReplica[] = [];
    for (const directory of await this.fanOutDirectories()) {
      for (const name of await readdir(join(this.store.dir, directory))) {
        if (SHA256_NAME.test(name) && name.startsWith(directory)) {
          const replica = await this.statOf(name);
          if (replica) found.push(replica);
        }
      }
    }
    return found;
  }

  /**
   * Deletes the temporary files a killed worker left. Only at start-up, before any job of this
   * node runs: a temporary file is otherwise a write in progress.
   */
  async removeTemporaryFiles(): Promise<number> {
    let removed = 0;
    for (const directory of await this.fanOutDirectories()) {
      for (const name of await readdir(join(this.store.dir, directory))) {
        if (name.startsWith(TEMPORARY_PREFIX)) {
          await rm(join(this.store.dir, directory, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  private async fanOutDirectories(): Promise<string[]> {
    const entries = await readdir(this.store.dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return entries.filter((entry) => entry.isDirectory() && FAN_OUT_DIR.test(entry.name)).map((entry) => entry.name);
  }
}

/**
 * Streams `source` into the file, hashing each piece as it arrives on the hashing thread
 * (@ucupdates/hashing: the event loop only reads and writes). Pieces are written a batch at a time
 * (WRITE_BATCH_BYTES, one writev), one batch on its way to disk while the next is read.
 */
async function copyHashing(source: Readable, handle: FileHandle): Promise<{ bytes: number; sha256: string }> {
  const hash = new OffThreadDigest();
  let bytes = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const chunk of source) {
      const piece = chunk as Buffer;
      await hash.update(piece);
      bytes += piece.length;
      batch.push(piece);
      batchBytes += piece.length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        await writing;
        writing = writeAll(handle, batch);
        // Awaited before the next batch or at the end; until then a failure (ENOSPC) must not
        // count as an unhandled rejection, which would end the process.
        writing.catch(() => undefined);
        batch = [];
        batchBytes = 0;
      }
    }
  } catch (error) {
    hash.abandon();
    throw error;
  } finally {
    // Never leave a write running on a handle the caller is about to close.
    await writing.catch(() => undefined);
  }
  try {
    await writing;
    if (batch.length > 0) await writeAll(handle, batch);
  } catch (error) {
    hash.abandon();
    throw error;
  }
  return { bytes, sha256: await hash.hex() };
}

/** writev until every byte of `buffers` is written (a write may take fewer bytes than offered). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (bytesWritten >= buffer.length) {
        bytesWritten -= buffer.length;
      } else {
        rest.push(bytesWritten > 0 ? buffer.subarray(bytesWritten) : buffer);
        bytesWritten = 0;
      }
    }
    pending = rest;
  }
}

/** The file's SHA-256, read a MiB at a time and hashed on the hashing thread. */
async function hashFile(path: string): Promise<string> {
  const hash = new OffThreadDigest();
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      await hash.update(chunk as Buffer);
    }
  } catch (error) {
    hash.abandon();
    throw error;
  }
  return hash.hex();
}

/** Flushes a file's (or a directory's) data and metadata to disk. */
async function fsync(path: string, flags: 'r'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
