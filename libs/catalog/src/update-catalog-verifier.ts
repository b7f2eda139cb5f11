import { CatalogError, CatalogErrorCode } from './catalog-error';
import { findImageMember, readCertificateTrustList } from './certificate-trust-list';
import { EncapsulatedContent, readSignedData, SignedData } from './cms-signed-data';
import { DigestAlgorithm, digestLabel } from './digest-algorithm';
import { ImageDigests, ImageDigestsInput, normalizeImageDigests } from './image-digests';
import { Oid } from './object-identifiers';
import {
  describeDigest,
  digestBytes,
  SignedContentCheck,
  signerWhat,
  verifySigners,
  VerifiedSigner,
} from './signer-verification';
import { TrustStore } from './trust-store';

export interface VerifyUpdateCatalogOptions {
  /** The `.cat` file's bytes (DER). */
  readonly catalog: Uint8Array;
  /**
   * The image's digests, computed while streaming it (ImageDigester, digestImage). A catalog form
   * needs SHA-1 or SHA-256; a detached signature needs the algorithm its signer used.
   */
  readonly imageDigests: ImageDigestsInput;
  readonly trustStore: TrustStore;
  /** When certificates must be valid; now by default. */
  readonly now?: Date;
  /** What the signature is called in messages: `the catalog` by default (`sw-description.sig` for a .swu). */
  readonly what?: string;
}

export enum UpdateCatalogForm {
  /** A Windows security catalog: a signed certificate trust list listing the image's hash. */
  CertificateTrustList = 'certificate-trust-list',
  /** A detached CMS signature over the image's bytes. */
  DetachedSignature = 'detached-signature',
}

export interface UpdateCatalogVerification {
  readonly form: UpdateCatalogForm;
  /** The image digest the catalog vouches for. */
  readonly imageDigestAlgorithm: DigestAlgorithm;
  readonly signers: readonly VerifiedSigner[];
}

const WHAT = 'the catalog';

/**
 * Checks that an update's `.cat` vouches for its image and is signed by a trusted signer, in
 * either form the spec accepts (update-package.md, "The security catalog"). Returns what was
 * verified; throws a CatalogError saying what failed otherwise.
 *
 * Checks run in this order, so a given file always gets the same answer: the structure
 * (Malformed, UnsupportedFormat, UnsupportedAlgorithm), that the catalog covers this image
 * (HashMismatch), the signature (BadSignature), then the signer's chain (UntrustedSigner,
 * CertificateExpired, CertificateNotYetValid, CertificateNotAllowed).
 */
export function verifyUpdateCatalog(options: VerifyUpdateCatalogOptions): UpdateCatalogVerification {
  const what = options.what ?? WHAT;
  const digests = normalizeImageDigests(options.imageDigests);
  const bytes = Buffer.from(options.catalog.buffer, options.catalog.byteOffset, options.catalog.byteLength);
  const signedData = readSignedData(bytes, what);
  if (signedData.signers.length === 0) throw new CatalogError(CatalogErrorCode.NotSigned, `${what} has no signer`);

  let form: UpdateCatalogForm;
  let imageDigestAlgorithm: DigestAlgorithm;
  let content: SignedContentCheck;
  if (signedData.content === undefined) {
    form = UpdateCatalogForm.DetachedSignature;
    imageDigestAlgorithm = checkDetachedForm(signedData, what);
    content = {
      contentType: signedData.contentType,
      digestOf: (algorithm, signer) => imageDigest(digests, algorithm, signerWhat(signer, what)),
      mismatch: (signer, computed, signed) =>
        new CatalogError(
          CatalogErrorCode.HashMismatch,
          `the image's ${describeDigest(signer.digestAlgorithm, computed)} is not ` +
            `the ${describeDigest(signer.digestAlgorithm, signed)} that ${signerWhat(signer, what)} signed`,
        ),
    };
  } else if (signedData.contentType === Oid.certificateTrustList) {
    form = UpdateCatalogForm.CertificateTrustList;
    imageDigestAlgorithm = findImageInTrustList(signedData.content, digests, what);
    content = {
      contentType: signedData.contentType,
      digestOf: digestBytes(signedData.content.digestedBytes),
      mismatch: (signer, computed, signed) =>
        new CatalogError(
          CatalogErrorCode.BadSignature,
          `${signerWhat(signer, what)} signed a trust list with ${describeDigest(signer.digestAlgorithm, signed)}, ` +
            `but the trust list has ${describeDigest(signer.digestAlgorithm, computed)}: it was changed after signing`,
        ),
    };
  } else {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `${what} signs content of type ${signedData.contentType}; ` +
        `a certificate trust list (${Oid.certificateTrustList}) or a detached signature is expected`,
    );
  }
  const signers = verifySigners(signedData, content, options.trustStore, options.now ?? new Date(), what);
  return { form, imageDigestAlgorithm, signers };
}

/**
 * The image digests `verifyUpdateCatalog` may compare with for this catalog: SHA-1 and SHA-256
 * always (a Windows catalog's members tagged by hash), and each detached signer's algorithm or
 * trust-list member's indirect-data algorithm (SHA-384 and SHA-512 among them). An importer hashes
 * every image with SHA-1 and SHA-256 as it extracts it, and the rest only for the catalogs that
 * name them. A catalog that cannot be read needs nothing more: verifying it reports why.
 */
export function imageDigestAlgorithms(catalog: Uint8Array): DigestAlgorithm[] {
  const needed = new Set<DigestAlgorithm>(['sha1', 'sha256']);
  try {
    const signedData = readSignedData(Buffer.from(catalog.buffer, catalog.byteOffset, catalog.byteLength), WHAT);
    if (signedData.content === undefined) {
      for (const signer of signedData.signers) needed.add(signer.digestAlgorithm);
    } else if (signedData.contentType === Oid.certificateTrustList) {
      const list = readCertificateTrustList(signedData.content.element(WHAT), WHAT);
      for (const member of list.members) if (member.indirectDigest) needed.add(member.indirectDigest.algorithm);
    }
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
  }
  return [...needed];
}

/** The Windows form: a member of the signed trust list must be the image. Returns the member's algorithm. */
function findImageInTrustList(content: EncapsulatedContent, digests: ImageDigests, catalog: string): DigestAlgorithm {
  const what = `${catalog}'s trust list`;
  const list = readCertificateTrustList(content.element(what), what);
  // Other trust lists (root lists, for one) also hold hashes; only a catalog's members are files.
  if (!list.subjectUsage.includes(Oid.catalogList)) {
    const usage = list.subjectUsage.join(', ') || 'empty';
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `${what} is not a catalog (its usage is ${usage}, not ${Oid.catalogList})`,
    );
  }
  const match = findImageMember(list, digests);
  if (match === undefined) {
    const held = (['sha1', 'sha256'] as const).flatMap((algorithm) => {
      const digest = digests[algorithm];
      return digest ? [describeDigest(algorithm, digest)] : [];
    });
    throw new CatalogError(
      CatalogErrorCode.HashMismatch,
      `none of the ${list.members.length} members of ${catalog} is the image ` +
        `(${held.join(', ') || 'no SHA-1 or SHA-256 of the image was given'})`,
    );
  }
  return match.algorithm;
}

/**
 * The detached form signs data, with signed attributes whose message digest is the image's.
 * Returns the first signer's digest algorithm, the one the image is compared with.
 */
function checkDetachedForm(signedData: SignedData, what: string): DigestAlgorithm {
  if (signedData.contentType !== Oid.data) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedFormat,
      `${what} is a detached signature over content of type ${signedData.contentType}, not over data (${Oid.data})`,
    );
  }
  for (const signer of signedData.signers) {
    // Without signed attributes the signature is over the image itself, which would have to be
    // read a second time; `openssl cms` adds them unless told -noattr.
    if (signer.signedAttributes === undefined) {
      throw new CatalogError(
        CatalogErrorCode.UnsupportedFormat,
        `${signerWhat(signer, what)} has no signed attributes; a detached signature is accepted only with them`,
      );
    }
  }
  return signedData.signers[0].digestAlgorithm;
}

/** A digest the caller should have computed; its absence is the caller's mistake, hence a TypeError. */
function imageDigest(digests: ImageDigests, algorithm: DigestAlgorithm, who: string): Buffer {
  const digest = digests[algorithm];
  if (digest === undefined) {
    const label = digestLabel(algorithm);
    throw new TypeError(`${who} uses ${label}, but the image's ${label} was not given`);
  }
  return digest;
}
