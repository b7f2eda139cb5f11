import { CatalogError, CatalogErrorCode, digestImage, type TrustStore, verifyUpdateCatalog, type VerifiedSigner } from '@ucupdates/catalog';
import { type ByteSource, type CpioFormat, type CpioMember, readCpioMembers, readMemberData } from './cpio-reader';
import { SwuError, SwuErrorCode } from './swu-error';

export const SW_DESCRIPTION = 'sw-description';
export const SW_DESCRIPTION_SIGNATURE = 'sw-description.sig';

/** More members than any real image has; a hostile archive of empty members stops here. */
const MAX_MEMBERS = 4096;
/** sw-description is a libconfig text of a few KiB; its signature a CMS structure of a few. */
const MAX_DESCRIPTION_BYTES = 1024 * 1024;
const MAX_SIGNATURE_BYTES = 64 * 1024;

/** What the pool reads of a `.swu`: its members, and the two it checks. */
export interface SwuHead {
  format: CpioFormat;
  members: CpioMember[];
  /** The first member's bytes. */
  description: Buffer;
  /** The second member's bytes when it is `sw-description.sig`, else null (an unsigned image). */
  signature: Buffer | null;
}

/**
 * Reads a `.swu` as SWUpdate does (ddi.md, "Packages"): a cpio archive (`newc` or `crc`) whose
 * first member is `sw-description` and, in a signed image, whose second is `sw-description.sig`.
 * Every header is read and bounded; only those two members' data is.
 */
export async function readSwuHead(source: ByteSource): Promise<SwuHead> {
  const { format, members } = await readCpioMembers(source, { maxMembers: MAX_MEMBERS });
  const [first, second] = members;
  if (first?.name !== SW_DESCRIPTION) {
    throw new SwuError(
      SwuErrorCode.DescriptionNotFirst,
      first === undefined ? 'the archive is empty: sw-description must be its first member' : `its first member is ${JSON.stringify(first.name)}, not sw-description`,
    );
  }
  if (first.size > MAX_DESCRIPTION_BYTES) {
    throw new SwuError(SwuErrorCode.TooLarge, `sw-description has ${first.size} bytes, more than ${MAX_DESCRIPTION_BYTES}`);
  }
  const description = await readMemberData(source, first, format);
  if (second?.name !== SW_DESCRIPTION_SIGNATURE) {
    return { format, members, description, signature: null };
  }
  if (second.size > MAX_SIGNATURE_BYTES) {
    throw new SwuError(SwuErrorCode.TooLarge, `sw-description.sig has ${second.size} bytes, more than ${MAX_SIGNATURE_BYTES}`);
  }
  return { format, members, description, signature: await readMemberData(source, second, format) };
}

/** The extended key usage SWUpdate's OpenSSL check (the S/MIME signing purpose) wants of a signer. */
const EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';

/**
 * Verifies `sw-description.sig`, a detached CMS signature over `sw-description` (`openssl cms -sign
 * -binary`, as SWUpdate's build signs), against the pool's trust store with libs/catalog's
 * verifier, the one catalogs pass. Its signer must also be one SWUpdate 2022.12 accepts: a
 * certificate without extended key usage, or one that lists emailProtection (ddi.md: a signer
 * with only codeSigning is refused by every device, so the pool refuses it at import).
 * Throws SwuError(NotSigned) for an image without the signature, CatalogError for one that fails.
 */
export async function verifySwuSignature(head: SwuHead, trustStore: TrustStore, now = new Date()): Promise<VerifiedSigner[]> {
  if (head.signature === null) {
    throw new SwuError(SwuErrorCode.NotSigned, 'its second member is not sw-description.sig: the image is not signed');
  }
  const { signers } = verifyUpdateCatalog({
    catalog: head.signature,
    imageDigests: await digestImage(head.description),
    trustStore,
    now,
    what: SW_DESCRIPTION_SIGNATURE,
  });
  for (const signer of signers) {
    if (signer.extendedKeyUsage !== null && !signer.extendedKeyUsage.includes(EMAIL_PROTECTION)) {
      throw new CatalogError(
        CatalogErrorCode.CertificateNotAllowed,
        `the signer ${JSON.stringify(signer.subject)} has an extended key usage without emailProtection ` +
          `(${signer.extendedKeyUsage.join(', ')}), which SWUpdate refuses: sign with a certificate whose extended key usage ` +
          'is codeSigning,emailProtection, or that has none',
      );
    }
  }
  return [...signers];
}
