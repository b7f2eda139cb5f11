import { createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CabCompression, CabError, type CabHeader, CabReader, fileHandleSource } from '@ucupdates/cab';
import type { ImageDigests } from '@ucupdates/catalog';
import { writeAndDigest } from '@ucupdates/hashing';
import type { ObjectStorage } from '@ucupdates/storage';
import {
  cabinetSignatureIn,
  entryKey,
  isDescriptionEntry,
  isUpdateInfoEntry,
  microsoftPackageRefusal,
  PackageRefusal,
  PackageRefusalCode,
  updateInfoVersion,
} from '@ucupdates/update-package';

export interface ExtractedFile {
  /** The entry's name as stored in the cabinet. */
  name: string;
  /** Where its bytes are on local disk. */
  path: string;
  size: number;
  sha256: string;
  /** Kept beside the SHA-256 for DDI devices: SWUpdate checks an artifact's SHA-1 (ddi.md). */
  sha1: string;
  md5: string;
  /** SHA-1 and SHA-256; a catalog's others are computed from `path` when it names them. */
  digests: ImageDigests;
}

export interface ExtractedPackage {
  header: CabHeader;
  /** The downloaded package, open for the Authenticode check; closed by close(). */
  packageFile: FileHandle;
  packageSize: number;
  /** Every entry but the descriptions, by entryKey(). */
  files: Map<string, ExtractedFile>;
  /** Every entry name, by entryKey(), to resolve the descriptions' file references. */
  names: Map<string, string>;
  descriptions: { name: string; xml: Buffer }[];
  close(): Promise<void>;
}

export interface ExtractionLimits {
  maxUncompressedSize: number;
  maxRatio: number;
}

/** Descriptions are read into memory: a bound keeps a hostile one from filling it. */
const MAX_DESCRIPTION_BYTES = 64 * 1024;

/**
 * Downloads a package from the object store into `workDir` and extracts every entry there in one
 * pass, hashing each as it is written. Nothing is held whole in memory but the small descriptions;
 * the disk holds at most the limits' worth. A cabinet the reader refuses is a PackageRefusal.
 */
export async function extractPackage(
  storage: ObjectStorage,
  objectKey: string,
  workDir: string,
  limits: ExtractionLimits,
): Promise<ExtractedPackage> {
  const packagePath = join(workDir, 'package.cab');
  await pipeline(await storage.get(objectKey), createWriteStream(packagePath));
  const packageFile = await open(packagePath, 'r');
  try {
    const packageSize = (await packageFile.stat()).size;
    await refuseSelfExtracting(packageFile, packageSize, limits);
    const reader = await CabReader.open(fileHandleSource(packageFile, packageSize), limits).catch(refuseCabinet);
    const files = new Map<string, ExtractedFile>();
    const names = new Map<string, string>();
    const descriptions: ExtractedPackage['descriptions'] = [];
    let updateInfo: { name: string; xml: Buffer } | null = null;
    let index = 0;
    try {
      for await (const entry of reader.entries()) {
        const name = entry.file.name;
        names.set(entryKey(name), name);
        if (isDescriptionEntry(name)) {
          descriptions.push({ name, xml: await readDescription(name, entry.data) });
          continue;
        }
        if (updateInfo === null && isUpdateInfoEntry(name)) {
          updateInfo = { name, xml: await readDescription(name, entry.data) };
          continue;
        }
        const path = join(workDir, `entry-${index++}`);
        // SHA-1 and SHA-256 cover Windows catalogs and most detached signatures; SHA-384 and SHA-512
        // are computed from the file on disk, only for a catalog that names them (SignaturePolicy,
        // imageDigestAlgorithms). MD5 is no algorithm a catalog may name (libs/catalog refuses it),
        // only a hash DDI devices are told. An MSZIP or stored file is hashed and written by the
        // hashing thread while the event loop decodes; an LZX one on the event loop (decision 77).
        const compression = reader.folders[entry.file.folderIndex].compression;
        const offThread = compression !== CabCompression.Lzx;
        const written = await writeAndDigest(entry.data, path, ['sha1', 'sha256', 'md5'], { offThread });
        const [sha1, sha256, md5] = written.digests;
        const size = written.size;
        const digests: ImageDigests = { sha1, sha256 };
        files.set(entryKey(name), {
          name,
          path,
          size,
          sha256: sha256.toString('hex'),
          sha1: sha1.toString('hex'),
          md5: md5.toString('hex'),
          digests,
        });
      }
    } catch (error) {
      refuseCabinet(error);
    }
    if (descriptions.length === 0 && updateInfo !== null) {
      throw microsoftPackageRefusal({ exe: null, updateInfo: updateInfo.name, version: updateInfoVersion(updateInfo.xml) });
    }
    return { header: reader.header, packageFile, packageSize, files, names, descriptions, close: () => packageFile.close() };
  } catch (error) {
    await packageFile.close();
    throw error;
  }
}

async function readDescription(name: string, data: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size > MAX_DESCRIPTION_BYTES) {
      throw new PackageRefusal(PackageRefusalCode.BadDescription, name, `larger than ${MAX_DESCRIPTION_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Bytes read at a time while looking for a cabinet inside a program. */
const SCAN_CHUNK = 1 << 20;

/**
 * Refuses a Windows program (`MZ`) with a cabinet inside, as Microsoft's `UCUpdates.exe` is
 * (update-package.md), naming the version of its updateInfo.xml when the cabinet can be read.
 * A program without a cabinet is left to the cab reader, which refuses it as not a cabinet.
 */
async function refuseSelfExtracting(file: FileHandle, size: number, limits: ExtractionLimits): Promise<void> {
  const head = Buffer.alloc(2);
  await file.read(head, 0, 2, 0);
  if (head.toString('latin1') !== 'MZ') return;
  const buffer = Buffer.alloc(SCAN_CHUNK + 7);
  let offset = -1;
  for (let position = 0; position < size && offset < 0; position += SCAN_CHUNK) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - position), position);
    const at = cabinetSignatureIn(buffer.subarray(0, bytesRead));
    if (at >= 0) offset = position + at;
  }
  if (offset < 0) return;
  let version: string | null = null;
  let updateInfo: string | null = null;
  try {
    const inner = fileHandleSource(file, size);
    const reader = await CabReader.open({ size: size - offset, read: (at, length) => inner.read(offset + at, length) }, limits);
    for await (const entry of reader.entries()) {
      if (isUpdateInfoEntry(entry.file.name)) {
        updateInfo = entry.file.name;
        version = updateInfoVersion(await readDescription(entry.file.name, entry.data));
        break;
      }
      for await (const _chunk of entry.data) {
        // read past an entry that is not updateInfo.xml
      }
    }
  } catch {
    // The embedded cabinet could not be read: the refusal says so without a version.
  }
  throw microsoftPackageRefusal({ exe: { cabinetOffset: offset }, updateInfo, version });
}

function refuseCabinet(error: unknown): never {
  if (error instanceof CabError) {
    throw new PackageRefusal(PackageRefusalCode.BadCabinet, error.entry ?? null, `${error.code}: ${error.reason}`);
  }
  throw error;
}
