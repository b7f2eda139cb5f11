import { createHash } from 'node:crypto';
import type { CabHeader, CabSource } from '@ucupdates/cab';
import { CatalogError, CatalogErrorCode, malformed } from './catalog-error';
import { readSignedData } from './cms-signed-data';
import { DigestAlgorithm, digestAlgorithmFromOid } from './digest-algorithm';
import { Oid } from './object-identifiers';
import { describeDigest, digestBytes, signerWhat, verifySigners, VerifiedSigner } from './signer-verification';
import { readSpcIndirectData } from './spc-indirect-data';
import { TrustStore } from './trust-store';

export interface VerifyCabAuthenticodeOptions {
  /** The whole cabinet file, signature included. */
  readonly source: CabSource;
  /** The cabinet's header as the cab reader read it (CabReader.header). */
  readonly header: CabHeader;
  readonly trustStore: TrustStore;
  /** When certificates must be valid; now by default. */
  readonly now?: Date;
  /** Bytes asked of the source at a time while hashing. Default 1 MiB. */
  readonly readSize?: number;
}

export type CabAuthenticodeVerification =
  | { readonly signed: false }
  | {
      readonly signed: true;
      readonly digestAlgorithm: DigestAlgorithm;
      /** The cabinet's Authenticode digest, which the signature vouches for. */
      readonly digest: Buffer;
      readonly signers: readonly VerifiedSigner[];
    };

const WHAT = "the cabinet's Authenticode signature";
const DEFAULT_READ_SIZE = 1024 * 1024;
/** Real signatures are a few KiB (certificates, a timestamp, perhaps a nested signature). */
const MAX_SIGNATURE_SIZE = 1024 * 1024;
/** The signature reserve signtool and osslsigncode write: 20 bytes, ending at this offset. */
const SIGNATURE_RESERVE_SIZE = 20;
const END_OF_SIGNATURE_RESERVE = 60;

/**
 * The byte ranges of a signed cabinet that its Authenticode digest covers, as signtool computes it
 * (and osslsigncode's cab.c, which Windows accepts): everything before the signature except
 *
 *   4-7    reserved1
 *   34-35  iCabinet
 *   36-39  cbCFHeader, cbCFFolder, cbCFData
 *   40-55  the first 16 bytes of the header reserve (the marker, the signature's offset and size,
 *          and 4 more bytes), which cannot be known before the signature is made.
 *
 * Bytes 56-59, the reserve's last 4, are covered, and so is everything from 60 (after the
 * reserve) up to the signature.
 */
function digestedRanges(signatureOffset: number): [number, number][] {
  return [
    [0, 4],
    [8, 34],
    [56, signatureOffset],
  ];
}

/**
 * Verifies a cabinet's Authenticode signature: that the digest it signs is the cabinet's, that its
 * signature verifies and that the signer chains to the trust store. An unsigned cabinet gives
 * `{ signed: false }` and the caller decides; a signed one that fails throws a CatalogError.
 *
 * The cabinet is hashed by reading `readSize` bytes at a time, never whole. Checks run in this
 * order: the layout and the signature's structure (Malformed, UnsupportedFormat,
 * UnsupportedAlgorithm), the cabinet's digest (HashMismatch), the signature (BadSignature), then
 * the chain (UntrustedSigner, CertificateExpired, CertificateNotYetValid, CertificateNotAllowed).
 * Timestamps are not used: certificates must be valid at `now` (see the README).
 */
export async function verifyCabAuthenticode(
  options: VerifyCabAuthenticodeOptions,
): Promise<CabAuthenticodeVerification> {
  const { source, header } = options;
  const area = header.signature;
  if (area === undefined) return { signed: false };
  checkLayout(header, source.size);

  const signatureBytes = await readExactly(source, area.offset, area.length, 'the signature');
  // Signers pad the signature with zeros to a multiple of 8 bytes.
  const signedData = readSignedData(signatureBytes, WHAT, true);
  if (signedData.contentType !== Oid.spcIndirectData || signedData.content === undefined) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `${WHAT} signs content of type ${signedData.contentType}, ` +
        `not Authenticode indirect data (${Oid.spcIndirectData})`,
    );
  }
  const content = signedData.content;
  const indirect = readSpcIndirectData(content.element(`${WHAT}'s indirect data`), `${WHAT}'s indirect data`);
  const algorithm = digestAlgorithmFromOid(indirect.digestAlgorithmOid, `${WHAT}'s digest algorithm`);

  const digest = await cabAuthenticodeDigest(source, area.offset, algorithm, options.readSize ?? DEFAULT_READ_SIZE);
  if (!digest.equals(indirect.digest)) {
    throw new CatalogError(
      CatalogErrorCode.HashMismatch,
      `the cabinet's ${describeDigest(algorithm, digest)} is not the ${describeDigest(algorithm, indirect.digest)} ` +
        'its signature vouches for: the cabinet was changed after signing',
    );
  }

  const signers = verifySigners(
    signedData,
    {
      contentType: signedData.contentType,
      digestOf: digestBytes(content.digestedBytes),
      mismatch: (signer, computed, signed) =>
        new CatalogError(
          CatalogErrorCode.BadSignature,
          `${signerWhat(signer, WHAT)} signed indirect data with ${describeDigest(signer.digestAlgorithm, signed)}, ` +
            `but it has ${describeDigest(signer.digestAlgorithm, computed)}`,
        ),
    },
    options.trustStore,
    options.now ?? new Date(),
    WHAT,
  );
  return { signed: true, digestAlgorithm: algorithm, digest, signers };
}

/**
 * The header fields outside the digest must not be able to change how the covered bytes are read.
 * cbCFHeader is fixed at the 20 bytes of the signature reserve, and the folder and data reserves
 * must be empty (a non-zero cbCFData would shift every data block). The signature must follow the
 * whole cabinet and end the file, so no byte the reader uses is outside the digest.
 */
function checkLayout(header: CabHeader, fileSize: number): void {
  const area = header.signature;
  if (area === undefined) return;
  if (
    header.headerReserveSize !== SIGNATURE_RESERVE_SIZE ||
    header.headerReserveOffset + header.headerReserveSize !== END_OF_SIGNATURE_RESERVE
  ) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `the signed cabinet has a ${header.headerReserveSize}-byte header reserve; ` +
        `Authenticode cabinets have ${SIGNATURE_RESERVE_SIZE}`,
    );
  }
  if (header.folderReserveSize !== 0 || header.dataReserveSize !== 0) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `the signed cabinet reserves ${header.folderReserveSize} bytes per folder and ${header.dataReserveSize} ` +
        'per data block; the signature would not cover how they are read',
    );
  }
  if (area.length === 0 || area.length > MAX_SIGNATURE_SIZE) {
    throw malformed(`the signature is declared as ${area.length} bytes (at most ${MAX_SIGNATURE_SIZE})`);
  }
  if (area.offset < header.cabinetSize || area.offset + area.length !== fileSize) {
    throw malformed(
      `the signature at bytes ${area.offset}..${area.offset + area.length} must follow ` +
        `the ${header.cabinetSize}-byte cabinet and end the ${fileSize}-byte file`,
    );
  }
}

/** The cabinet's Authenticode digest (see digestedRanges), read `readSize` bytes at a time. */
export async function cabAuthenticodeDigest(
  source: CabSource,
  signatureOffset: number,
  algorithm: DigestAlgorithm,
  readSize = DEFAULT_READ_SIZE,
): Promise<Buffer> {
  if (signatureOffset < END_OF_SIGNATURE_RESERVE) {
    throw malformed(`the signature starts at byte ${signatureOffset}, inside the header`);
  }
  const hash = createHash(algorithm);
  for (const [start, end] of digestedRanges(signatureOffset)) {
    for (let at = start; at < end; at += readSize) {
      hash.update(await readExactly(source, at, Math.min(readSize, end - at), 'the cabinet'));
    }
  }
  return hash.digest();
}

async function readExactly(source: CabSource, offset: number, length: number, what: string): Promise<Buffer> {
  const bytes = await source.read(offset, length);
  if (bytes.length < length)
    throw malformed(`the file ends before ${what} (bytes ${offset}..${offset + length} of ${source.size})`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, length);
}
