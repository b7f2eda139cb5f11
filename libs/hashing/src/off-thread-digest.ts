import { Worker } from 'node:worker_threads';

/** A hash algorithm of node:crypto (`sha256`, `sha1`, `md5`). */
export type DigestAlgorithm = 'sha256' | 'sha1' | 'md5';

/**
 * The hashing thread's program, plain JavaScript given to the Worker as source (`eval`): it needs
 * nothing but node:crypto and node:fs, so it runs the same from dist/, under Jest and in the
 * benchmarks. One message at a time, in order: `start` opens a digest (and with a `path` creates
 * that file), `update` feeds it a block it owns (moved, not copied), writes it to the file if there
 * is one and moves it back, `digest` closes the file, answers the hashes and forgets it; a failed
 * open, write or close answers `failed` instead and forgets the digest.
 */
const HASHER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, writeSync } = require('node:fs');
const open = new Map();
function failed(id, state, error) {
  open.delete(id);
  if (state && state.fd >= 0) try { closeSync(state.fd); } catch {}
  parentPort.postMessage({ type: 'failed', id, message: error.message, code: error.code });
}
parentPort.on('message', (message) => {
  const state = open.get(message.id);
  if (message.type === 'start') {
    const opened = { hashes: message.algorithms.map((algorithm) => createHash(algorithm)), fd: -1 };
    try {
      if (message.path) opened.fd = openSync(message.path, 'w');
      open.set(message.id, opened);
    } catch (error) {
      failed(message.id, undefined, error);
    }
  } else if (message.type === 'update') {
    if (state) {
      const block = message.block;
      for (const hash of state.hashes) hash.update(block);
      try {
        for (let at = 0; state.fd >= 0 && at < block.length; ) at += writeSync(state.fd, block, at, block.length - at);
      } catch (error) {
        failed(message.id, state, error);
      }
    }
    // The block goes back to be filled again: no garbage on either side for the collector to find.
    parentPort.postMessage({ type: 'ack', id: message.id, block: message.block }, [message.block.buffer]);
  } else if (message.type === 'digest') {
    if (!state) return;
    try {
      if (state.fd >= 0) closeSync(state.fd);
    } catch (error) {
      state.fd = -1;
      return failed(message.id, state, error);
    }
    open.delete(message.id);
    parentPort.postMessage({ type: 'digests', id: message.id, digests: state.hashes.map((hash) => hash.digest()) });
  } else if (message.type === 'drop') {
    if (state) open.delete(message.id);
    if (state && state.fd >= 0) try { closeSync(state.fd); } catch {}
  }
});
`;

/** Bytes gathered before they go to the thread as one block (one copy, one message, one acknowledgement). */
const BLOCK_BYTES = 1024 * 1024;
/** Bytes handed over and not yet hashed, past which update() waits: memory stays flat when the thread falls behind. */
const MAX_IN_FLIGHT_BYTES = 8 * BLOCK_BYTES;
/** How long the thread outlives its last digest. */
const IDLE_MS = 10_000;
/** Blocks kept for reuse: the in-flight limit's worth and one being filled. */
const SPARE_BLOCKS = MAX_IN_FLIGHT_BYTES / BLOCK_BYTES + 1;

interface Pending {
  inFlight: number;
  drained: (() => void) | null;
  resolve: ((digests: Buffer[]) => void) | null;
  reject: (error: Error) => void;
}

/**
 * The process's hashing thread (node:worker_threads), shared by every OffThreadDigest and started
 * on first use. It does not keep the process alive; should it die, every digest under way fails
 * and the next one starts a new thread.
 */
class HashingThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | null = null;
  /**
   * Whole blocks the thread gave back, filled again instead of allocating: a stream of gigabytes
   * would otherwise leave a MiB of garbage per MiB hashed, which the collector frees late (resident
   * memory grows by tens of MiB before it runs).
   */
  private readonly spare: Buffer[] = [];

  /** A block of BLOCK_BYTES that owns its ArrayBuffer (allocUnsafeSlow: never the shared pool's), to be moved. */
  block(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
  }

  open(algorithms: readonly DigestAlgorithm[], path: string | undefined, reject: (error: Error) => void): { id: number; state: Pending } {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.started();
    const id = this.nextId++;
    const state: Pending = { inFlight: 0, drained: null, resolve: null, reject };
    this.pending.set(id, state);
    worker.postMessage({ type: 'start', id, algorithms, path });
    return { id, state };
  }

  /** Moves `block` (which must own its whole ArrayBuffer) to the thread. */
  update(id: number, block: Uint8Array): void {
    this.started().postMessage({ type: 'update', id, block }, [block.buffer as ArrayBuffer]);
  }

  digest(id: number): void {
    this.started().postMessage({ type: 'digest', id });
  }

  drop(id: number): void {
    this.pending.delete(id);
    this.worker?.postMessage({ type: 'drop', id });
    this.idle();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(HASHER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (message: { type: string; id: number; block?: Uint8Array; digests?: Uint8Array[]; message?: string; code?: string }) => {
      if (message.type === 'ack' && message.block!.byteLength === BLOCK_BYTES && this.spare.length < SPARE_BLOCKS) {
        this.spare.push(Buffer.from(message.block!.buffer, message.block!.byteOffset, BLOCK_BYTES));
      }
      const state = this.pending.get(message.id);
      if (!state) return;
      if (message.type === 'ack') {
        state.inFlight -= message.block!.byteLength;
        if (state.drained && state.inFlight <= MAX_IN_FLIGHT_BYTES / 2) {
          const drained = state.drained;
          state.drained = null;
          drained();
        }
      } else if (message.type === 'digests') {
        this.pending.delete(message.id);
        state.resolve?.(message.digests!.map((digest) => Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength)));
        this.idle();
      } else if (message.type === 'failed') {
        this.pending.delete(message.id);
        state.reject(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
        this.idle();
      }
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const state of pending) state.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the hashing thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /**
   * No digest open: the thread stops after IDLE_MS without one, so an idle process holds none
   * (the next digest starts it again) and a run of small files does not start one each.
   */
  private idle(): void {
    if (this.pending.size > 0 || !this.worker || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0 && this.worker) {
        const worker = this.worker;
        this.worker = null;
        this.spare.length = 0;
        void worker.terminate();
      }
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}

const thread = new HashingThread();

/**
 * Hashes a stream of bytes on a thread of its own, so the event loop that reads and writes them
 * does not also spend its time in SHA-256: on a machine of more than one core the hashing runs
 * beside the reading instead of after it. Bytes are gathered into blocks of 1 MiB (the only copy
 * they cost), each moved to the thread and back, to be filled again; `update` waits while 8 MiB
 * are handed over and not yet hashed. `digest` answers each algorithm's hash in the order they were given.
 */
export class OffThreadDigest {
  private readonly id: number;
  private readonly state: Pending;
  private block: Buffer | null = null;
  private filled = 0;
  private failure: Error | null = null;
  private finished = false;

  /**
   * `options.writeTo`: the thread also writes the bytes to this file (created or truncated), after
   * hashing each block, so the event loop neither hashes nor writes them; `digest` then resolves
   * once the file is complete and closed, and a failed write fails the next `update` or `digest`.
   */
  constructor(
    readonly algorithms: readonly DigestAlgorithm[] = ['sha256'],
    options: { writeTo?: string } = {},
  ) {
    ({ id: this.id, state: this.state } = thread.open(algorithms, options.writeTo, (error) => {
      this.failure = error;
      this.state.drained?.();
    }));
  }

  /** Takes the bytes (copied: the caller may reuse or write them); resolves once there is room for more. */
  async update(bytes: Uint8Array): Promise<void> {
    this.check();
    const source = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    while (offset < source.length) {
      this.block ??= thread.block();
      const taken = source.copy(this.block, this.filled, offset, Math.min(source.length, offset + BLOCK_BYTES - this.filled));
      this.filled += taken;
      offset += taken;
      if (this.filled === BLOCK_BYTES) await this.flush();
    }
  }

  /** The hashes of every byte given, one per algorithm. The digest is finished after. */
  async digest(): Promise<Buffer[]> {
    this.check();
    await this.flush();
    this.finished = true;
    const answer = new Promise<Buffer[]>((resolve, reject) => {
      this.state.resolve = resolve;
      this.state.reject = reject;
    });
    thread.digest(this.id);
    return answer;
  }

  /** Hex of the first algorithm's hash (`sha256` by default). */
  async hex(): Promise<string> {
    return (await this.digest())[0].toString('hex');
  }

  /** Gives the digest up (the stream failed): the thread forgets it. */
  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    thread.drop(this.id);
  }

  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    let owned = this.block!;
    if (this.filled < BLOCK_BYTES) {
      // A short last block goes in a buffer of its own size: only a whole ArrayBuffer can be moved.
      owned = Buffer.allocUnsafeSlow(this.filled);
      this.block!.copy(owned, 0, 0, this.filled);
    }
    this.block = null;
    this.filled = 0;
    this.state.inFlight += owned.byteLength;
    thread.update(this.id, owned);
    if (this.state.inFlight > MAX_IN_FLIGHT_BYTES) {
      await new Promise<void>((resolve) => {
        this.state.drained = resolve;
      });
      this.check();
    }
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.finished) throw new Error('this digest is finished');
  }
}
