import { createReadStream, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { fileHandleSource } from '@ucupdates/cab';
import {
  CatalogError,
  CatalogErrorCode,
  digestImage,
  type ImageDigests,
  imageDigestAlgorithms,
  TrustStore,
  verifyCabAuthenticode,
  verifyUpdateCatalog,
} from '@ucupdates/catalog';
import type { Config } from '@ucupdates/config';
import { isDdiDeviceType } from '@ucupdates/rules';
import { readSwuHead, SwuError, type SwuHead, verifySwuSignature } from '@ucupdates/swu';
import { entryKey, PackageRefusal, PackageRefusalCode, type UpdateDescription } from '@ucupdates/update-package';
import type { ExtractedFile, ExtractedPackage } from './package-extraction';

/**
 * Failures that mean the bytes were changed after signing. They refuse a package even where
 * unsigned updates are allowed: a lab may skip trust, never integrity.
 */
const TAMPERING = new Set([CatalogErrorCode.HashMismatch, CatalogErrorCode.BadSignature]);

/**
 * The signature rules of update-package.md: every update's catalog must vouch for its image and
 * chain to the pool's trust store, and a cabinet's Authenticode signature, when it has one, must
 * verify too. A DDI update's image must be a SWUpdate image (ddi.md, "Packages"), and its
 * sw-description.sig, when it has one, must verify as a catalog must; it needs a catalog only
 * when it has no such signature. With UCU_ALLOW_UNSIGNED_UPDATES=true, missing or untrusted
 * signatures are accepted; a malformed image never is.
 */
export class SignaturePolicy {
  private constructor(
    private readonly trustStore: TrustStore | null,
    private readonly allowUnsigned: boolean,
  ) {}

  static fromConfig(config: Config): SignaturePolicy {
    const trustStore = config.UCU_TRUSTED_CA_FILE ? TrustStore.fromPem(readFileSync(config.UCU_TRUSTED_CA_FILE)) : null;
    return new SignaturePolicy(trustStore, config.UCU_ALLOW_UNSIGNED_UPDATES);
  }

  async check(extracted: ExtractedPackage, updates: UpdateDescription[]): Promise<void> {
    await this.checkCabinet(extracted);
    for (const update of updates) {
      const image = extracted.files.get(entryKey(update.imageEntry))!;
      const swu = isDdiDeviceType(update.deviceType) ? await this.checkSwu(update, image) : null;
      if (update.catalogEntry !== null) {
        await this.checkCatalog(extracted, image, update.catalogEntry);
      } else if (swu?.signature === null) {
        await this.verify(update.imageEntry, async () => {
          throw new CatalogError(CatalogErrorCode.NotSigned, 'the image has no sw-description.sig and the update names no <Catalog>');
        });
      }
    }
  }

  /** The image read as SWUpdate reads it, and its own signature checked when it has one. */
  private async checkSwu(update: UpdateDescription, image: ExtractedFile): Promise<SwuHead> {
    const handle = await open(image.path, 'r');
    let head: SwuHead;
    try {
      head = await readSwuHead(fileHandleSource(handle, image.size));
    } catch (error) {
      if (error instanceof SwuError) {
        throw new PackageRefusal(PackageRefusalCode.BadSwu, update.imageEntry, `${error.code}: ${error.message}`);
      }
      throw error;
    } finally {
      await handle.close();
    }
    if (head.signature !== null) {
      await this.verify(update.imageEntry, () => verifySwuSignature(head, this.requireTrustStore()));
    }
    return head;
  }

  private async checkCabinet(extracted: ExtractedPackage): Promise<void> {
    if (!extracted.header.signature) {
      return;
    }
    await this.verify('the cabinet', () =>
      verifyCabAuthenticode({
        source: fileHandleSource(extracted.packageFile, extracted.packageSize),
        header: extracted.header,
        trustStore: this.requireTrustStore(),
      }),
    );
  }

  private async checkCatalog(extracted: ExtractedPackage, image: ExtractedFile, catalogEntry: string): Promise<void> {
    const catalog = extracted.files.get(entryKey(catalogEntry))!;
    const catalogBytes = await readFile(catalog.path);
    const imageDigests = await this.withDigestsFor(catalogBytes, image);
    await this.verify(catalogEntry, async () =>
      verifyUpdateCatalog({ catalog: catalogBytes, imageDigests, trustStore: this.requireTrustStore() }),
    );
  }

  /**
   * The image's digests from its extraction (SHA-1, SHA-256), and those the catalog names beside
   * them (SHA-384, SHA-512), read from the extracted file once for the catalogs that need them.
   */
  private async withDigestsFor(catalogBytes: Buffer, image: ExtractedFile): Promise<ImageDigests> {
    const missing = imageDigestAlgorithms(catalogBytes).filter((algorithm) => image.digests[algorithm] === undefined);
    if (missing.length === 0) return image.digests;
    return { ...image.digests, ...(await digestImage(createReadStream(image.path, { highWaterMark: 1 << 20 }), missing)) };
  }

  private requireTrustStore(): TrustStore {
    if (!this.trustStore) {
      throw new CatalogError(CatalogErrorCode.UntrustedSigner, 'the pool trusts no signer (UCU_TRUSTED_CA_FILE is not set)');
    }
    return this.trustStore;
  }

  private async verify(what: string, check: () => Promise<unknown>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!(error instanceof CatalogError)) {
        throw error;
      }
      if (this.allowUnsigned && !TAMPERING.has(error.code)) {
        return;
      }
      throw new PackageRefusal(PackageRefusalCode.BadSignature, what, `${error.code}: ${error.message}`);
    }
  }
}
