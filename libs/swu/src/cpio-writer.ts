// Node's built-ins only: the CLI (new-package) imports this file by relative path.

/** One member to write: its name, size and checksum known before its data is read. */
export interface CpioEntry {
  name: string;
  size: number;
  /** The sum of its bytes modulo 2^32 (byteSum): a `crc` header carries it. */
  check: number;
  /** Seconds since 1970. */
  mtime?: number;
  /** Read once, after the header; must yield exactly `size` bytes. */
  data(): AsyncIterable<Uint8Array>;
}

/** The `crc` checksum of cpio: the sum of the bytes, modulo 2^32; pass the previous sum to go on. */
export function byteSum(bytes: Uint8Array, sum = 0): number {
  let total = sum;
  for (const byte of bytes) total = (total + byte) >>> 0;
  return total;
}

const hex8 = (value: number) => value.toString(16).padStart(8, '0');
const padding = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

/** A regular file, rw-r--r--. */
const REGULAR_FILE = 0o100644;

function header(name: string, fields: { ino: number; mode: number; mtime: number; size: number; check: number }): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const text =
    '070702' +
    [fields.ino, fields.mode, 0, 0, 1, fields.mtime, fields.size, 0, 0, 0, 0, nameBytes.length, fields.check].map(hex8).join('');
  const bytes = Buffer.concat([Buffer.from(text, 'latin1'), nameBytes]);
  return Buffer.concat([bytes, padding(bytes.length)]);
}

/**
 * A cpio archive in SVR4 `crc` form (`cpio -o -H crc`), as SWUpdate images are packed: each member's
 * header with its checksum, its data, padding to four bytes, then the trailer. Streams: a member's
 * data is read when its turn comes, never held whole. Throws if a member yields another size than
 * it declared (its header would then lie).
 */
export async function* writeCpio(entries: readonly CpioEntry[]): AsyncGenerator<Buffer> {
  let ino = 0;
  for (const entry of entries) {
    yield header(entry.name, { ino: ++ino, mode: REGULAR_FILE, mtime: entry.mtime ?? 0, size: entry.size, check: entry.check });
    let written = 0;
    for await (const chunk of entry.data()) {
      written += chunk.length;
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (written !== entry.size) {
      throw new Error(`${entry.name} gave ${written} bytes, ${entry.size} were announced`);
    }
    yield padding(written);
  }
  yield header('TRAILER!!!', { ino: 0, mode: 0, mtime: 0, size: 0, check: 0 });
}

/** The archive's size in bytes, known before any data is read (a cabinet's header needs it). */
export function cpioSize(entries: readonly Pick<CpioEntry, 'name' | 'size'>[]): number {
  const headerSize = (name: string) => align4(110 + Buffer.byteLength(name, 'utf8') + 1);
  return entries.reduce((total, entry) => total + headerSize(entry.name) + align4(entry.size), headerSize('TRAILER!!!'));
}

const align4 = (length: number) => (length + 3) & ~3;

/** A member whose bytes are in memory. */
export function bufferEntry(name: string, bytes: Uint8Array, mtime?: number): CpioEntry {
  return {
    name,
    size: bytes.length,
    check: byteSum(bytes),
    mtime,
    data: async function* () {
      yield bytes;
    },
  };
}
